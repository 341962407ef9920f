"""Forms of the storyteller's journey: plain language, a hint per field, errors that say what to do.

Forms only validate input; views call the services in stories/accounts.py, stories/uploads.py,
stories/photos.py and transcribe/review.py.
"""

from __future__ import annotations

import datetime
from typing import cast

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db.models import QuerySet
from django.utils import timezone

from stories.models import Attribution, Project, StoryKind
from stories.redaction_forms import SpanForm
from stories.types import User

FIELD_TEMPLATE = "storyteller/forms/field.html"

LANGUAGES = [
    ("en", "English"),
    ("cy", "Welsh"),
    ("es", "Spanish"),
    ("fr", "French"),
    ("pl", "Polish"),
    ("pt", "Portuguese"),
    ("ro", "Romanian"),
    ("ar", "Arabic"),
    ("ur", "Urdu"),
    ("pa", "Punjabi"),
    ("bn", "Bengali"),
    ("so", "Somali"),
]


class ArchiveForm(forms.Form):
    """Renders every field with its label, hint and error linked (see the field template)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.template_name = FIELD_TEMPLATE  # type: ignore[attr-defined]  # not in the stubs

    def error_links(self) -> list[tuple[str, str]]:
        """(anchor, message) pairs for the error summary, in the order of the form."""
        links = [("", str(e)) for e in self.non_field_errors()]
        for bound in self:
            for error in bound.errors:
                links.append((bound.id_for_label or bound.auto_id, str(error)))
        return links


class DateInput(forms.DateInput):
    input_type = "date"


# Accounts ---------------------------------------------------------------------------------


class InvitationForm(ArchiveForm):
    email = forms.EmailField(
        label="Their email address",
        error_messages={
            "required": "Enter the email address to send the invitation to.",
            "invalid": "Enter an email address like name@example.org.",
        },
        help_text="We send the invitation link here. It works once, for "
        f"{settings.ARCHIVE_INVITATION_DAYS} days.",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    project = forms.ModelChoiceField(
        queryset=Project.objects.none(),
        required=False,
        label="Project (optional)",
        help_text="The project their story belongs to, if there is one.",
        empty_label="No project",
    )
    message = forms.CharField(
        label="A note to include (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, how you met or why you think their story matters.",
    )

    def __init__(self, *args, projects: QuerySet[Project] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["project"]).queryset = (
            projects if projects is not None else Project.objects.none()
        )


class JoinForm(ArchiveForm):
    display_name = forms.CharField(
        label="The name to show with your stories",
        max_length=120,
        error_messages={"required": "Choose a name to be known by; a nickname is fine."},
        help_text="Only shown if you choose to be named. A nickname or pseudonym is fine.",
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    username = forms.CharField(
        label="A sign-in name",
        max_length=150,
        error_messages={"required": "Choose a sign-in name, for example your first name."},
        help_text="You type this to sign in. Letters, digits and @ . + - _ only.",
        validators=[UnicodeUsernameValidator()],
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
    password = forms.CharField(
        label="Choose a password",
        strip=False,
        error_messages={"required": "Choose a password of at least 8 characters."},
        help_text="At least 8 characters; not only digits, and not a common password.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label="Type the password again",
        strip=False,
        error_messages={"required": "Type the password again, so we know it is right."},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(
                "That sign-in name is taken. Choose another, for example by adding a number."
            )
        return username

    def clean(self) -> dict:
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data
        password, again = data.get("password"), data.get("password_again")
        if password and again and password != again:
            self.add_error("password_again", "The two passwords are different. Type them again.")
        elif password:
            user = get_user_model()(username=data.get("username", ""))
            try:
                password_validation.validate_password(password, user)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return data


class SignupForm(JoinForm):
    email = forms.EmailField(
        label="Email address (optional)",
        required=False,
        help_text="Only to tell you when your transcript is ready. Leave it empty if you prefer.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


# Consent ----------------------------------------------------------------------------------


class ConsentForm(ArchiveForm):
    """The storyteller's choices, each on its own; nothing is ticked for them."""

    archive = forms.BooleanField(
        required=False,
        label="Keep my story in the archive",
        help_text="It is stored safely. Curators who look after the archive can see it.",
    )
    researchers = forms.BooleanField(
        required=False,
        label="Approved researchers may use my story",
        help_text="Researchers the archive has approved can read and listen to it for their work.",
    )
    public = forms.BooleanField(
        required=False,
        label="My story may be shown to the public",
        help_text="Once I have checked and approved it, anyone can see it on this website.",
    )
    quotes_allowed = forms.BooleanField(
        required=False,
        label="Short quotes from my story may be used",
        help_text="For example in a report, a search result or an exhibition.",
    )
    attribution = forms.ChoiceField(
        choices=Attribution.choices,
        initial=Attribution.ANONYMOUS,
        widget=forms.RadioSelect,
        label="Should your name be shown with your story?",
        help_text="Your name means the name you chose to be known by.",
    )
    sealed_until = forms.DateField(
        required=False,
        widget=DateInput,
        label="Keep it closed until (optional)",
        help_text="Nobody but you sees it before this date, whatever you chose above.",
    )
    expires_on = forms.DateField(
        required=False,
        widget=DateInput,
        label="My consent ends on (optional)",
        help_text="After this date nobody but you sees it. We email you a reminder before.",
    )

    def clean(self) -> dict:
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data
        if (data.get("researchers") or data.get("public")) and not data.get("archive"):
            self.add_error(
                "archive",
                "Researchers or the public can only see a story that is kept in the archive: "
                "tick 'Keep my story in the archive' too, or untick the other uses.",
            )
        today = timezone.localdate()
        if data.get("sealed_until") and data["sealed_until"] <= today:
            self.add_error("sealed_until", "Choose a date in the future, or leave it empty.")
        if data.get("expires_on") and data["expires_on"] <= today:
            self.add_error("expires_on", "Choose a date in the future, or leave it empty.")
        return data

    def consent_choices(self) -> dict:
        """The cleaned choices as keyword arguments of services.consent_record."""
        data = self.cleaned_data
        expires_on: datetime.date | None = data.get("expires_on")
        expires_at = None
        if expires_on:
            expires_at = timezone.make_aware(
                datetime.datetime.combine(expires_on, datetime.time.min)
            )
        return {
            "archive": data["archive"],
            "researchers": data["researchers"],
            "public": data["public"],
            "quotes_allowed": data["quotes_allowed"],
            "attribution": data["attribution"],
            "sealed_until": data.get("sealed_until"),
            "expires_at": expires_at,
        }

    @classmethod
    def initial_from(cls, record) -> dict:
        if record is None:
            return {}
        return {
            "archive": record.archive,
            "researchers": record.researchers,
            "public": record.public,
            "quotes_allowed": record.quotes_allowed,
            "attribution": record.attribution,
            "sealed_until": record.sealed_until,
            "expires_on": timezone.localdate(record.expires_at) if record.expires_at else None,
        }


# The story --------------------------------------------------------------------------------

RECORDING = "recording"


class StoryForm(ArchiveForm):
    title = forms.CharField(
        label="A title for your story",
        max_length=255,
        help_text="A few words. You can change it later.",
        error_messages={"required": "Give your story a title: a few words are enough."},
    )
    kind = forms.ChoiceField(
        label="How are you telling it?",
        choices=[(RECORDING, "A recording (audio or video)"), (StoryKind.TEXT, "In writing")],
        initial=RECORDING,
        widget=forms.RadioSelect,
    )
    # A field, not Form.media: the form's metaclass takes declared fields off the class.
    media = forms.FileField(  # type: ignore[assignment]
        required=False,
        label="Recording file",
        help_text="Audio or video up to {limit}: MP3, M4A, WAV, OGG, FLAC, WebM, MP4 or MOV. "
        "Names, places and dates hidden inside the file are removed.",
        widget=forms.ClearableFileInput(attrs={"accept": "audio/*,video/*"}),
    )
    upload = forms.UUIDField(required=False, widget=forms.HiddenInput)
    text_body = forms.CharField(
        required=False,
        label="Your story in writing",
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="Write it in your own words; there is no right or wrong way.",
    )
    summary = forms.CharField(
        required=False,
        label="A short summary (optional)",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One or two sentences about what it is about.",
    )
    language = forms.ChoiceField(
        choices=LANGUAGES,
        initial="en",
        label="Language it is told in",
        help_text="So that the transcript is written in the right language.",
    )
    told_on = forms.DateField(
        required=False,
        widget=DateInput,
        label="When it was told (optional)",
    )
    photo = forms.FileField(
        required=False,
        label="A photo to go with it (optional)",
        help_text="JPEG or PNG, up to {photo_limit}. Location and camera details are removed.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    photo_alt = forms.CharField(
        required=False,
        max_length=255,
        label="What the photo shows",
        help_text="A short description for people who cannot see it. Needed if you add a photo.",
    )
    project = forms.ModelChoiceField(
        queryset=Project.objects.none(),
        required=False,
        label="Project (optional)",
        empty_label="No project",
    )
    storyteller = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        label="Whose story is this?",
        empty_label="Mine",
        help_text="Choose the storyteller if you are uploading on their behalf. They will "
        "review and approve it themselves.",
    )

    def __init__(
        self,
        *args,
        projects: QuerySet[Project] | None = None,
        storytellers: QuerySet[User] | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        limit = settings.ARCHIVE_MAX_UPLOAD_BYTES
        self.fields["media"].help_text = self.fields["media"].help_text.format(
            limit=f"{limit / 1024**3:g} GB" if limit >= 1024**3 else f"{limit // 1024**2} MB"
        )
        self.fields["photo"].help_text = self.fields["photo"].help_text.format(
            photo_limit=f"{settings.ARCHIVE_MAX_PHOTO_BYTES // 1024**2} MB"
        )
        if projects is not None and projects.exists():
            cast(forms.ModelChoiceField, self.fields["project"]).queryset = projects
        else:
            del self.fields["project"]
        if storytellers is not None and storytellers.exists():
            field = cast(forms.ModelChoiceField, self.fields["storyteller"])
            field.queryset = storytellers
            # A label per instance, as Django allows; the stubs know only the method.
            field.label_from_instance = _storyteller_label  # type: ignore[assignment]
        else:
            del self.fields["storyteller"]

    def clean(self) -> dict:
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data
        kind = data.get("kind")
        if kind == StoryKind.TEXT:
            if not data.get("text_body", "").strip():
                self.add_error("text_body", "Write your story here, or choose 'A recording'.")
        elif kind == RECORDING and not data.get("media") and not data.get("upload"):
            self.add_error(
                "media", "Choose the recording to upload, or choose 'In writing' instead."
            )
        if data.get("photo") and not data.get("photo_alt", "").strip():
            self.add_error(
                "photo_alt", "Describe the photo in a few words, for people who cannot see it."
            )
        return data


def _storyteller_label(user: User) -> str:
    profile = getattr(user, "storyteller_profile", None)
    return f"{profile.display_name} ({user.get_username()})" if profile else user.get_username()


class SegmentForm(ArchiveForm):
    text = forms.CharField(
        label="Corrected words",
        required=False,  # an empty line gets transcript_segment_edit's own explanation
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text="To split the line in two, type | where the new line begins.",
    )


class ReplaceForm(ArchiveForm):
    find = forms.CharField(label="Find", max_length=200)
    replacement = forms.CharField(label="Replace with", max_length=200, required=False)
    whole_words = forms.BooleanField(label="Whole words only", required=False, initial=True)


class SpeakerNameForm(ArchiveForm):
    name = forms.CharField(
        label="Name",
        max_length=100,
        required=False,
        help_text="For example Interviewer, or a name.",
    )
    me = forms.BooleanField(label="This is me", required=False)


class LanguageForm(ArchiveForm):
    language = forms.ChoiceField(
        choices=LANGUAGES,
        label="Language it is told in",
        help_text="The transcript is written again in this language; your corrections to the "
        "old one are not kept.",
    )


class WithdrawForm(ArchiveForm):
    confirm = forms.BooleanField(
        label="I understand that my story will be deleted and cannot be brought back",
        error_messages={
            "required": "Tick the box to confirm, or go back if you want to keep your story."
        },
    )


class RedactForm(ArchiveForm, SpanForm):
    """Words to take out of the storyteller's own story: a line's words, or two times."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = "Why (optional)"
        self.fields[
            "reason"
        ].help_text = "Only you and the archive's curators see this. It helps you remember later."
