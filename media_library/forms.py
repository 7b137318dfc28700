"""Admin forms for photos and documents: uploads checked by media_library.validation."""

from django import forms
from django.core.files.uploadedfile import UploadedFile

from media_library.models import Document, Photo
from media_library.storage import DISK_FULL_MESSAGE
from media_library.validation import validate_document_file, validate_image_file

IMAGE_ACCEPT = "image/jpeg,image/png,image/webp,image/gif"


class PrivateFileInput(forms.ClearableFileInput):
    """A file input that names the current file without linking it: originals live in
    private storage and have no public URL."""

    template_name = "media_library/widgets/private_file_input.html"

    def is_initial(self, value):
        return bool(value and getattr(value, "name", None))


class _CurrentDocument:
    """The current file as the widget shows it, linked where staff can open it."""

    def __init__(self, value):
        self.value = value

    @property
    def url(self):
        return self.value.instance.url

    def __str__(self):
        return str(self.value)


class DocumentFileInput(forms.ClearableFileInput):
    """Links the current document through ``Document.url``: its public address, or the
    staff-only one while it is withheld (the storage's own URL would be a dead link)."""

    def format_value(self, value):
        value = super().format_value(value)
        if self.is_initial(value) and getattr(value, "instance", None) is not None:
            return _CurrentDocument(value)
        return value


class StoredFileFormMixin:
    """Says on the file field that the last attempt found the disk full.

    ``disk_full`` is set per request by the admin (``DiskFullAdminMixin``) when a save of
    this very form failed for want of space, and the form is checked again to show it.
    """

    file_field = "file"
    disk_full = False

    def clean(self):
        cleaned = super().clean()
        if self.disk_full:
            self.add_error(self.file_field, DISK_FULL_MESSAGE)
        return cleaned


class PhotoAdminForm(StoredFileFormMixin, forms.ModelForm):
    """Upload or edit a photo.

    The image is a plain file field checked by ``validate_image_file`` rather than
    Django's ImageField check, whose generic message cannot tell an editor whether the
    file was too big, of the wrong kind, damaged or a decompression bomb.
    """

    file_field = "image"
    image = forms.FileField(
        label="Image",
        help_text=Photo._meta.get_field("image").help_text,
        widget=PrivateFileInput(attrs={"accept": IMAGE_ACCEPT}),
    )

    class Meta:
        model = Photo
        fields = [
            "image",
            "title",
            "alt_text",
            "is_decorative",
            "caption",
            "credit",
            "copyright",
            "usage_rights",
            "usage_notes",
            "downloadable",
            "focal_x",
            "focal_y",
        ]
        widgets = {
            "focal_x": forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "1"}),
            "focal_y": forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "1"}),
            "caption": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_image(self):
        image = self.cleaned_data["image"]
        if isinstance(image, UploadedFile):
            validate_image_file(image)
        return image

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("is_decorative") and not (cleaned.get("alt_text") or "").strip():
            self.add_error(
                "alt_text",
                "Describe what the photo shows for people who cannot see it, or tick "
                "“decorative” if it adds nothing a reader would miss.",
            )
        return cleaned


class DocumentAdminForm(StoredFileFormMixin, forms.ModelForm):
    """Upload or edit a document; only PDFs within the size limit are accepted."""

    class Meta:
        model = Document
        fields = ["file", "title", "language"]
        widgets = {"file": DocumentFileInput(attrs={"accept": "application/pdf"})}

    def clean_file(self):
        file = self.cleaned_data["file"]
        if isinstance(file, UploadedFile):
            validate_document_file(file)
        return file
