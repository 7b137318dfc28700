"""Admin forms for photos and documents: uploads checked by media_library.validation."""

from django import forms
from django.core.files.uploadedfile import UploadedFile

from media_library.models import Document, Photo, rights_allow_redistribution
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

    "Offer for download" follows the usage rights (``rights_allow_redistribution``)
    unless the editor sets it: a new photo, or one whose rights change while the box is
    left alone, gets the default of its rights. Ticking it against the rights is refused
    until the editor ticks ``confirm_redistribution``, which appears with the error;
    ``confirms_redistribution`` then tells the admin to record who confirmed and when.
    """

    file_field = "image"
    image = forms.FileField(
        label="Image",
        help_text=Photo._meta.get_field("image").help_text,
        widget=PrivateFileInput(attrs={"accept": IMAGE_ACCEPT}),
    )
    confirm_redistribution = forms.BooleanField(
        label="I confirm we may redistribute this photo",
        required=False,
        # Shown only when it is needed (see _clean_download_offer).
        widget=forms.HiddenInput,
        help_text="Tick only if the photo's licence lets journalists publish it from our "
        "download and media kit. Your name and the time are recorded.",
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read by the admin after a valid form: record a confirmation; tell the editor
        # that the offer followed the rights.
        self.confirms_redistribution = False
        self.download_offer_note = ""

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
        self._clean_download_offer(cleaned)
        return cleaned

    def _clean_download_offer(self, cleaned):
        rights = cleaned.get("usage_rights")
        if not rights or "downloadable" not in cleaned:
            return
        label = dict(Photo._meta.get_field("usage_rights").flatchoices)[rights]
        allowed = rights_allow_redistribution(rights)
        confirm = cleaned.get("confirm_redistribution", False)
        initial = {
            name: self.get_initial_for_field(self.fields[name], name)
            for name in ("usage_rights", "downloadable")
        }
        was_offered = bool(initial["downloadable"])
        rights_changed = "usage_rights" in self.changed_data
        if rights_changed and "downloadable" not in self.changed_data and not confirm:
            # The box left alone follows the rights: to the new default when it held the
            # old one, and off whenever the new rights forbid (a confirmation was for the
            # old rights). A box unticked on purpose under rights that allow stays so.
            had_default = was_offered == rights_allow_redistribution(initial["usage_rights"])
            if had_default or not allowed:
                cleaned["downloadable"] = allowed
            if cleaned["downloadable"] != was_offered:
                no_longer = "no longer" if self.instance.pk is not None else "not"
                self.download_offer_note = (
                    f"“{label}” lets us pass the photo on, so it is now offered for download."
                    if allowed
                    else f"“{label}” does not allow us to pass the photo on, so it is "
                    f"{no_longer} offered for download. To offer it anyway, tick “Offer "
                    "for download” and confirm that its licence allows it."
                )
        if not cleaned["downloadable"] or allowed:
            return
        already = (
            self.instance.download_confirmed_at is not None and was_offered and not rights_changed
        )
        if already:
            return
        if confirm:
            self.confirms_redistribution = True
            return
        self.fields["confirm_redistribution"].widget = forms.CheckboxInput()
        self.add_error(
            "downloadable",
            f"“{label}” does not allow us to pass this photo on to journalists. If its "
            "licence does allow it, tick “I confirm we may redistribute this photo” below "
            "(your name and the time are recorded); otherwise untick “Offer for download”.",
        )


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
