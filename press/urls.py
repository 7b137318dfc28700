from django.urls import path

from press import views

app_name = "press"

urlpatterns = [
    path("", views.ContactsView.as_view(), name="contacts"),
    path("inquiry/", views.InquiryView.as_view(), name="inquiry"),
    path("inquiry/thanks/", views.InquiryThanksView.as_view(), name="inquiry_thanks"),
    path("spokespeople/<slug:slug>.vcf", views.spokesperson_vcard, name="spokesperson_vcard"),
    path("contacts/<int:pk>.vcf", views.press_contact_vcard, name="press_contact_vcard"),
]
