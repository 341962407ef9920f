"""The curators' import of a REFI-QDA project: the form, the summary, the proposed themes."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from coding import imports
from coding.models import ImportedTheme, ImportedThemeStatus, QdpxImport
from coding.services import CodingError
from stories.models import Project, Theme
from stories.visibility import CURATOR, audience_for


class ImportForm(forms.Form):
    project = forms.ModelChoiceField(
        label="Into the stories of this project", queryset=Project.objects.order_by("name")
    )
    file = forms.FileField(
        label="REFI-QDA project (.qdpx)",
        help_text="Exported from NVivo, ATLAS.ti, MAXQDA, QualCoder or this archive.",
    )


def _curator(request: HttpRequest) -> None:
    if not audience_for(request.user).has(CURATOR):
        raise PermissionDenied("Imports of REFI-QDA projects are for curators.")


@login_required
@require_http_methods(["GET", "POST"])
def import_project(request: HttpRequest) -> HttpResponse:
    _curator(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > imports.MAX_BYTES:
            form.add_error("file", "The file is too large to import here.")
        else:
            assert request.user.is_authenticated  # login_required
            try:
                record = imports.import_qdpx(
                    data=upload.read(),
                    file_name=upload.name,
                    project=form.cleaned_data["project"],
                    actor=request.user,
                )
            except imports.QdpxError as error:
                form.add_error("file", str(error))
            else:
                return redirect("coding:import_summary", pk=record.pk)
    status = 400 if form.errors else 200
    return render(request, "coding/import.html", {"form": form}, status=status)


@login_required
def import_summary(request: HttpRequest, pk: int) -> HttpResponse:
    _curator(request)
    record = get_object_or_404(QdpxImport.objects.select_related("project"), pk=pk)
    return render(
        request,
        "coding/import_summary.html",
        {
            "record": record,
            "summary": record.summary,
            "themes": record.themes.all(),
            "waiting": imports.waiting_proposals(record),
            "all_themes": Theme.objects.active().order_by("name"),
            "PROPOSED": ImportedThemeStatus.PROPOSED,
        },
    )


@login_required
@require_POST
def imported_theme_review(request: HttpRequest, pk: int) -> HttpResponse:
    _curator(request)
    imported = get_object_or_404(ImportedTheme, pk=pk)
    into_id = request.POST.get("into", "")
    into = Theme.objects.active().filter(pk=into_id).first() if into_id.isdigit() else None
    assert request.user.is_authenticated  # login_required
    try:
        made = imports.imported_theme_review(
            imported=imported,
            actor=request.user,
            decision=request.POST.get("decision", ""),
            name=request.POST.get("name", ""),
            into=into,
        )
    except CodingError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"“{imported.name}”: {made} coding{'s' if made != 1 else ''} proposed."
        )
    return redirect("coding:import_summary", pk=imported.source_id)
