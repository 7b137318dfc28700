from django.core.management.base import BaseCommand

from core.roles import ROLES, sync_roles


class Command(BaseCommand):
    help = "Create or update the staff role groups (writers, editors, press office)."

    def handle(self, *args, **options):
        sync_roles()
        self.stdout.write(self.style.SUCCESS(f"Roles up to date: {', '.join(ROLES)}."))
