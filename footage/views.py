"""Footage requests: the owner's answer pages (private link) and the investigator's pages."""

from __future__ import annotations

import csv
import logging

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files import File
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import Permission, staff_required
from cameraregistry.bucket_storage import StorageUnavailable
from cameraregistry.session_clock import FOOTAGE_REQUESTS_KEY, link_session_start
from cameraregistry.signed_links import LinkError
from cameraregistry.wall_clock import WallClockDateTimeField, WallClockEndField
from canvass import selectors as canvass_selectors
from canvass.selectors import case_for
from footage import selectors, services
from footage.models import FootageRequest, RequestStatus
from footage.tokens import request_link_check
from footage.uploads import EvidenceUploadHandler

SESSION_KEY = FOOTAGE_REQUESTS_KEY
logger = logging.getLogger(__name__)


# ---- Owner side -------------------------------------------------------------------------------
#
# When the owner's agency stops sharing with the agency that asked (agreement revoked, or its end
# date passed), the request is over for the owner as well: the link page says it is no longer
# active and refuses new answers and files, so nothing new reaches the former partner. Evidence
# received before the agreement ended stays with the case, as chain of custody requires.


def _owner_request(request: HttpRequest, public_id) -> object:
    """The chokepoint for owners: only requests whose link was opened in this browser session."""
    if str(public_id) not in request.session.get(SESSION_KEY, []):
        raise Http404
    footage_request = (
        FootageRequest.objects.select_related("agency", "case", "registration").filter(public_id=public_id).first()
    )
    if footage_request is None:
        raise Http404
    return footage_request


@require_http_methods(["GET", "POST"])
def open_link(request: HttpRequest, public_id, value: str) -> HttpResponse:
    try:
        footage_request = request_link_check(public_id, value)
    except LinkError as error:
        return render(
            request,
            "footage/link_problem.html",
            {"reason": error.reason},
            status=404 if error.reason == "invalid" else 410,
        )
    if request.method == "GET":
        # Mail scanners follow links: only a button here, the session opens on POST.
        return render(request, "footage/confirm_link.html", {"footage_request": footage_request})
    opened = [item for item in request.session.get(SESSION_KEY, []) if item != str(footage_request.public_id)]
    if not opened:
        request.session.cycle_key()  # a new link session: a fixed session id cannot be carried into it
    request.session[SESSION_KEY] = [*opened[-9:], str(footage_request.public_id)]
    link_session_start(request.session)
    return redirect("footage:answer", public_id=footage_request.public_id)


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(
        choices=[
            (RequestStatus.NO_FOOTAGE, gettext_lazy("I have no footage for that time")),
            (RequestStatus.DECLINED, gettext_lazy("I prefer not to share footage")),
        ],
        widget=forms.RadioSelect,
        label=gettext_lazy("Your answer"),
        error_messages={"required": gettext_lazy("Choose an answer.")},
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason (optional, never required)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _answer_page(request, footage_request, *, form=None, upload_errors=None, received=None, status=200):
    return render(
        request,
        "footage/answer.html",
        {
            "footage_request": footage_request,
            "form": form or AnswerForm(),
            "upload_errors": upload_errors or [],
            "received": received or [],
            "evidence": footage_request.evidence.all(),
            "max_file_mb": settings.FOOTAGE_MAX_FILE_BYTES // (1024 * 1024),
            "max_files": settings.FOOTAGE_MAX_FILES_PER_REQUEST,
            "share_ended": selectors.request_share_ended(footage_request),
        },
        status=status,
    )


@require_GET
def answer(request: HttpRequest, public_id) -> HttpResponse:
    return _answer_page(request, _owner_request(request, public_id))


@require_POST
def respond(request: HttpRequest, public_id) -> HttpResponse:
    footage_request = _owner_request(request, public_id)
    if selectors.request_share_ended(footage_request):
        return _answer_page(request, footage_request, status=410)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return _answer_page(request, footage_request, form=form, status=400)
    try:
        services.footage_request_answer(
            footage_request=footage_request,
            answer=form.cleaned_data["answer"],
            reason=form.cleaned_data["reason"],
            request=request,
        )
    except ValidationError as error:
        form.add_error(None, error.messages[0])
        return _answer_page(request, footage_request, form=form, status=409)
    return render(request, "footage/answered.html", {"footage_request": footage_request})


@csrf_exempt
@require_POST
def upload(request: HttpRequest, public_id) -> HttpResponse:
    # CSRF is checked inside, after our handler is installed: the CSRF middleware would
    # otherwise read the body with Django's default handlers first (Django docs, upload handlers).
    handler = EvidenceUploadHandler(
        request, max_file_bytes=settings.FOOTAGE_MAX_FILE_BYTES, max_files=settings.FOOTAGE_MAX_FILES_PER_REQUEST
    )
    request.upload_handlers = [handler]
    try:
        return _upload(request, public_id, handler)
    finally:
        handler.cleanup()


@csrf_protect
def _upload(request: HttpRequest, public_id, handler: EvidenceUploadHandler) -> HttpResponse:
    footage_request = _owner_request(request, public_id)
    if selectors.request_share_ended(footage_request):
        return _answer_page(request, footage_request, status=410)
    handler.request_id = footage_request.pk  # files bound for a bucket are written once, under their final name
    try:
        request.POST  # noqa: B018 - parsing the body streams the files through the handler
    except StorageUnavailable:
        return _storage_unavailable_page(request, footage_request)
    except Exception:  # noqa: BLE001 - a malformed body is the client's error, answered as such
        return _answer_page(
            request, footage_request, upload_errors=[_("The upload could not be read. Please try again.")], status=400
        )
    errors = [f"{item.display_name}: {item.reason}" for item in handler.rejected]
    if handler.too_large is not None:
        errors.insert(0, f"{handler.too_large.display_name}: {handler.too_large.reason}")
        # Nothing from a stopped upload is kept: the owner sends again without the large file.
        return _answer_page(request, footage_request, upload_errors=errors, status=413)
    if handler.body_was_truncated():
        return _answer_page(
            request,
            footage_request,
            upload_errors=[_("The upload was interrupted; nothing was kept. Please send the files again.")],
            status=400,
        )
    if not handler.received and not errors:
        errors.append(_("Choose at least one video file to send."))
    if not handler.received:
        return _answer_page(request, footage_request, upload_errors=errors, status=400)
    try:
        records = services.evidence_receive(
            footage_request=footage_request,
            handler=handler,
            uploader_description=f"Camera owner via private link, {timezone.now():%Y-%m-%d %H:%M %Z}",
            request=request,
        )
    except ValidationError as error:
        return _answer_page(request, footage_request, upload_errors=[*error.messages, *errors], status=409)
    except StorageUnavailable:
        return _storage_unavailable_page(request, footage_request)
    footage_request.refresh_from_db()
    return _answer_page(
        request, footage_request, upload_errors=errors, received=records, status=200 if not errors else 207
    )


def _storage_unavailable_page(request, footage_request):
    logger.exception("Evidence storage unavailable during an upload for request %s", footage_request.pk)
    message = _("The files could not be stored just now; nothing was kept. Please try again in a few minutes.")
    return _answer_page(request, footage_request, upload_errors=[message], status=503)


# ---- Investigator side ------------------------------------------------------------------------

# What a datetime-local input sends and shows (the search form reads the same), plus what people type.
LOCAL_INPUT_FORMAT = "%Y-%m-%dT%H:%M"
LOCAL_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class RequestForm(forms.Form):
    window_start = WallClockDateTimeField(
        label=gettext_lazy("From"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_INPUT_FORMAT),
        input_formats=LOCAL_INPUT_FORMATS,
        error_messages={
            "required": gettext_lazy("Enter when the time window starts."),
            "invalid": gettext_lazy("Enter a date and time, like 2025-03-01 14:30."),
        },
    )
    window_end = WallClockEndField(
        label=gettext_lazy("To"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_INPUT_FORMAT),
        input_formats=LOCAL_INPUT_FORMATS,
        error_messages={
            "required": gettext_lazy("Enter when the time window ends."),
            "invalid": gettext_lazy("Enter a date and time, like 2025-03-01 15:30."),
        },
    )
    message = forms.CharField(
        label=gettext_lazy("Message to the owners"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    cameras = forms.MultipleChoiceField(
        label=gettext_lazy("Cameras"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": gettext_lazy("Pick at least one camera."),
            # Also what a form opened before a sharing agreement ended gets for the partner's camera.
            "invalid_choice": gettext_lazy(
                "A chosen camera is not part of this case or is no longer shared with your agency; reload the page."
            ),
        },
    )

    def __init__(self, *args, case_cameras=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cameras"].choices = [
            (str(c.pk), f"{c.camera.registration.street_address} – {c.camera}") for c in case_cameras
        ]


def _initial_request(request, case, case_cameras) -> dict:
    """The new request form starts from the case's search window and the cameras asked for in ?cameras=.

    Only ids of cameras the user may ask now are kept: anything else in the query is ignored, never an error.
    """
    initial = {}
    window = canvass_selectors.case_search_window(case)
    if window is not None:
        initial["window_start"], initial["window_end"] = window
    allowed = {str(c.pk) for c in case_cameras}
    wanted = [value for value in request.GET.getlist("cameras")[:500] if value in allowed]
    if wanted:
        initial["cameras"] = wanted
    return initial


def _case_page(request, case, form=None, status=200):
    case_cameras = selectors.requestable_case_cameras(request.user, case)
    requests = case.footage_requests.select_related("registration").prefetch_related("events", "evidence")
    if form is None:
        form = RequestForm(case_cameras=case_cameras, initial=_initial_request(request, case, case_cameras))
    return render(
        request,
        "footage/case_requests.html",
        {
            "case": case,
            "form": form,
            "requests": selectors.with_access_marked(request.user, requests),
        },
        status=status,
    )


@staff_required(Permission.REQUEST_FOOTAGE)
@require_http_methods(["GET", "POST"])
def case_requests(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_for(request.user, case_id)
    if request.method == "GET":
        return _case_page(request, case)
    case_cameras = selectors.requestable_case_cameras(request.user, case)
    form = RequestForm(request.POST, case_cameras=case_cameras)
    if not form.is_valid():
        return _case_page(request, case, form, status=400)
    try:
        services.footage_request_create(
            user=request.user,
            case=case,
            case_camera_ids=form.cleaned_data["cameras"],
            window_start=form.cleaned_data["window_start"],
            window_end=form.cleaned_data["window_end"],
            message=form.cleaned_data["message"],
            request=request,
        )
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            for message in messages:
                form.add_error(field if field in form.fields else None, message)
        return _case_page(request, case, form, status=400)
    return redirect("footage:case_requests", case_id=case.pk)


class PhoneForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[
            ("note", gettext_lazy("Note only")),
            (RequestStatus.NO_FOOTAGE, gettext_lazy("Owner has no footage")),
            (RequestStatus.DECLINED, gettext_lazy("Owner declined")),
        ],
        label=gettext_lazy("Outcome"),
    )
    note = forms.CharField(
        label=gettext_lazy("What was said"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("Write what was said on the call.")},
    )


def _request_page(request, footage_request, *, phone_form=None, verification=None, status=200):
    selectors.with_access_marked(request.user, [footage_request])
    return render(
        request,
        "footage/request_detail.html",
        {
            "footage_request": footage_request,
            "events": footage_request.events.select_related("actor"),
            "evidence": footage_request.evidence.all(),
            "phone_form": phone_form or PhoneForm(),
            "verification": verification,
        },
        status=status,
    )


@staff_required(Permission.REQUEST_FOOTAGE)
@require_GET
def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    return _request_page(request, selectors.request_for(request.user, request_id))


@staff_required(Permission.REQUEST_FOOTAGE)
@require_POST
def record_phone_call(request: HttpRequest, request_id: int) -> HttpResponse:
    footage_request = selectors.request_for(request.user, request_id)
    form = PhoneForm(request.POST)
    if not form.is_valid():
        return _request_page(request, footage_request, phone_form=form, status=400)
    try:
        services.footage_request_note_phone_call(
            user=request.user, footage_request=footage_request, note=form.cleaned_data["note"], request=request
        )
        if form.cleaned_data["outcome"] != "note":
            services.footage_request_answer(
                footage_request=footage_request,
                answer=form.cleaned_data["outcome"],
                actor=request.user,
                request=request,
            )
    except ValidationError as error:
        form.add_error(None, error.messages[0])
        return _request_page(request, footage_request, phone_form=form, status=409)
    return redirect("footage:request_detail", request_id=footage_request.pk)


@staff_required(Permission.DOWNLOAD_EVIDENCE)
@require_GET
def evidence_download(request: HttpRequest, evidence_id: int) -> HttpResponse:
    evidence = selectors.evidence_for(request.user, evidence_id)
    if evidence.purged_at is not None:
        return _purged_page(request, evidence)
    try:
        matches, actual, stream = services.evidence_open_for_download(
            user=request.user, evidence=evidence, request=request
        )
    except StorageUnavailable:
        return _storage_unreachable(request, evidence)
    if not matches:
        return _request_page(
            request, evidence.request, verification={"evidence": evidence, "ok": False, "actual": actual}, status=409
        )
    if isinstance(stream, File):
        response = FileResponse(
            stream, as_attachment=True, filename=evidence.original_name, content_type="application/octet-stream"
        )
    else:
        # From a bucket: streamed chunk by chunk, never whole in memory or on disk (footage.evidence_store).
        response = StreamingHttpResponse(stream, content_type="application/octet-stream")
        response["Content-Length"] = str(evidence.size)
        response["Content-Disposition"] = content_disposition_header(True, evidence.original_name)
    response["X-Evidence-SHA256"] = evidence.sha256
    return response


@staff_required(Permission.DOWNLOAD_EVIDENCE)
@require_GET
def evidence_manifest(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_for(request.user, case_id)
    rows = services.evidence_manifest_export(user=request.user, case=case, request=request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="evidence-manifest-case-{case.pk}.csv"'
    csv.writer(response).writerows(rows)
    return response


@staff_required(Permission.DOWNLOAD_EVIDENCE)
@require_POST
def evidence_verify(request: HttpRequest, evidence_id: int) -> HttpResponse:
    evidence = selectors.evidence_for(request.user, evidence_id)
    if evidence.purged_at is not None:
        return _purged_page(request, evidence)
    try:
        matches, actual = services.evidence_verify(
            user=request.user, evidence=evidence, purpose="verify", request=request
        )
    except StorageUnavailable:
        return _storage_unreachable(request, evidence)
    return _request_page(
        request,
        evidence.request,
        verification={"evidence": evidence, "ok": matches, "actual": actual},
        status=200 if matches else 409,
    )


def _storage_unreachable(request: HttpRequest, evidence) -> HttpResponse:
    # Not a mismatch (nothing was read, nothing is audited as one): the store did not answer.
    logger.exception("Evidence storage unavailable while reading evidence %s", evidence.pk)
    messages.error(request, _("The evidence store cannot be reached just now; try again in a few minutes."))
    return _request_page(request, evidence.request, status=503)


def _purged_page(request: HttpRequest, evidence) -> HttpResponse:
    # 410 Gone: the file existed and was deleted on purpose, under the agency's retention rule.
    return render(
        request,
        "footage/evidence_purged.html",
        {"evidence": evidence, "retention_days": evidence.request.agency.footage_retention_days_after_close},
        status=410,
    )
