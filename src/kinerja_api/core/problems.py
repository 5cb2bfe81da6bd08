"""RFC 9457 problem details: one exception type, a catalogue of stable kinds, and handlers."""

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from kinerja_api.core.i18n import Language, Msg, current_language

PROBLEM_BASE_URI = "https://kinerja-api.id/problems/"
PROBLEM_MEDIA_TYPE = "application/problem+json"
logger = logging.getLogger("kinerja_api.problems")


@dataclass(frozen=True, slots=True)
class ProblemKind:
    slug: str
    status: int
    title: Msg

    @property
    def type_uri(self) -> str:
        return PROBLEM_BASE_URI + self.slug


def _kind(slug: str, status: int, id_title: str, en_title: str) -> ProblemKind:
    return ProblemKind(slug, status, Msg(id_title, en_title))


BAD_REQUEST = _kind("bad-request", 400, "Permintaan tidak valid", "Bad request")
INVALID_CURSOR = _kind("invalid-cursor", 400, "Kursor tidak valid", "Invalid cursor")
INVALID_GRANT = _kind("invalid-grant", 400, "Kredensial tidak valid", "Invalid grant")
INVALID_CLIENT = _kind("invalid-client", 401, "Klien tidak dikenal", "Invalid client")
UNAUTHORIZED = _kind("unauthorized", 401, "Autentikasi diperlukan", "Authentication required")
FORBIDDEN = _kind("forbidden", 403, "Akses ditolak", "Forbidden")
NOT_FOUND = _kind("not-found", 404, "Tidak ditemukan", "Not found")
METHOD_NOT_ALLOWED = _kind(
    "method-not-allowed", 405, "Metode tidak diizinkan", "Method not allowed"
)
NOT_ACCEPTABLE = _kind("not-acceptable", 406, "Format tidak didukung", "Not acceptable")
CONFLICT = _kind("conflict", 409, "Konflik dengan keadaan saat ini", "Conflict")
INVALID_TRANSITION = _kind(
    "invalid-transition", 409, "Perubahan status tidak diizinkan", "Transition not allowed"
)
EVALUATION_NOT_OPEN = _kind(
    "evaluation-not-open",
    409,
    "Siklus evaluasi tidak sedang dibuka",
    "The evaluation cycle is not open for answers",
)
ALREADY_SUBMITTED = _kind(
    "already-submitted", 409, "Sudah dikirim dan tidak dapat diubah", "Already submitted"
)
RATING_LOCKED = _kind("rating-locked", 409, "Penilaian sudah ditetapkan", "The rating is locked")
DISTRIBUTION_MISFIT = _kind(
    "distribution-misfit",
    409,
    "Sebaran predikat tidak sesuai kurva distribusi",
    "The spread of predikat does not fit the distribution curve",
)
OBJECTION_REFUSED = _kind(
    "objection-refused", 409, "Keberatan tidak dapat diajukan", "The objection cannot be filed"
)
ENROLLMENT_CLOSED = _kind(
    "enrollment-closed",
    409,
    "Pendaftaran sesi pelatihan tidak dibuka",
    "Enrollment in the training session is not open",
)
ALREADY_ENROLLED = _kind(
    "already-enrolled",
    409,
    "Pegawai sudah terdaftar di sesi ini",
    "Already enrolled in the session",
)
NOT_ELIGIBLE = _kind(
    "not-eligible", 422, "Pegawai tidak memenuhi syarat sesi ini", "Not eligible for the session"
)
NOT_ATTENDED = _kind(
    "not-attended",
    409,
    "Hanya peserta yang hadir yang dapat memberi penilaian",
    "Only a participant who attended may rate the session",
)
SESSION_NOT_HELD = _kind(
    "session-not-held",
    409,
    "Sesi pelatihan belum berlangsung atau sudah dibatalkan",
    "The training session has not taken place yet, or is cancelled",
)
EXPORT_NOT_READY = _kind(
    "export-not-ready", 409, "Berkas ekspor tidak tersedia", "The export's file is not available"
)
IDEMPOTENCY_IN_FLIGHT = _kind(
    "idempotency-in-flight",
    409,
    "Permintaan dengan Idempotency-Key ini sedang diproses",
    "A request with this Idempotency-Key is still in progress",
)
# A syncing client's `since` lies before the tombstones still kept: it does a full read.
SYNC_WINDOW_EXPIRED = _kind(
    "sync-window-expired",
    410,
    "Jendela sinkronisasi sudah lewat",
    "The sync window has passed: read everything again",
)
PRECONDITION_FAILED = _kind(
    "precondition-failed", 412, "Versi sumber daya tidak cocok", "Precondition failed"
)
PAYLOAD_TOO_LARGE = _kind(
    "payload-too-large", 413, "Isi permintaan terlalu besar", "Payload too large"
)
UNSUPPORTED_MEDIA_TYPE = _kind(
    "unsupported-media-type", 415, "Jenis konten tidak didukung", "Unsupported media type"
)
VALIDATION = _kind("validation", 422, "Data tidak valid", "Validation failed")
# A file that cannot be imported at all (row problems are listed per row instead).
IMPORT_ENCODING = _kind(
    "import-encoding", 422, "Berkas impor bukan teks UTF-8", "The import file is not UTF-8 text"
)
IMPORT_COLUMNS = _kind(
    "import-columns",
    422,
    "Kolom berkas impor tidak sesuai",
    "The import file's columns do not fit its kind",
)
IMPORT_FILE_INVALID = _kind(
    "import-file-invalid", 422, "Berkas impor tidak dapat dibaca", "The import file cannot be read"
)
IDEMPOTENCY_KEY_REUSED = _kind(
    "idempotency-key-reused",
    422,
    "Idempotency-Key sudah dipakai untuk permintaan lain",
    "Idempotency-Key was already used for a different request",
)
PRECONDITION_REQUIRED = _kind(
    "precondition-required", 428, "Header If-Match diperlukan", "If-Match header required"
)
RATE_LIMITED = _kind("rate-limited", 429, "Terlalu banyak permintaan", "Too many requests")
INTERNAL = _kind("internal", 500, "Terjadi kesalahan pada server", "Internal server error")
SERVICE_UNAVAILABLE = _kind("service-unavailable", 503, "Layanan belum siap", "Service unavailable")

KIND_BY_STATUS = {
    kind.status: kind
    for kind in (
        BAD_REQUEST,
        UNAUTHORIZED,
        FORBIDDEN,
        NOT_FOUND,
        METHOD_NOT_ALLOWED,
        NOT_ACCEPTABLE,
        CONFLICT,
        PRECONDITION_FAILED,
        PAYLOAD_TOO_LARGE,
        UNSUPPORTED_MEDIA_TYPE,
        VALIDATION,
        PRECONDITION_REQUIRED,
        RATE_LIMITED,
        INTERNAL,
        SERVICE_UNAVAILABLE,
    )
}


class Problem(Exception):  # noqa: N818 - the RFC's own name for the concept
    """Raise anywhere to answer with an RFC 9457 problem."""

    def __init__(
        self,
        kind: ProblemKind,
        detail: Msg | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, object] | None = None,
        keep_changes: bool = False,
        **extensions: Any,
    ) -> None:
        super().__init__(kind.slug)
        self.kind = kind
        self.detail = detail
        self.params = dict(params or {})
        self.headers = dict(headers or {})
        self.extensions = extensions
        # The unit of work commits what was flushed before raising (e.g. a failed sign-in
        # counted towards throttling, a refresh-token family revoked on reuse).
        self.keep_changes = keep_changes

    def body(self, language: Language | None = None, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": self.kind.type_uri,
            "title": self.kind.title.render(language),
            "status": self.kind.status,
        }
        if self.detail is not None:
            body["detail"] = self.detail.render(language, **self.params)
        if instance:
            body["instance"] = instance
        body.update(self.extensions)
        return body


class FieldError(BaseModel):
    field: str = Field(description="Dotted path of the offending input, e.g. `body.nip`.")
    message: str
    code: str = Field(description="Machine-readable error code, e.g. `missing`.")


class ProblemDetail(BaseModel):
    """RFC 9457 problem details; extension members depend on `type`."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(examples=[PROBLEM_BASE_URI + "not-found"])
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldError] | None = None


def problem_response(problem: Problem, request: Request | None = None) -> JSONResponse:
    instance = request.url.path if request is not None else None
    return JSONResponse(
        problem.body(current_language.get(), instance),
        status_code=problem.kind.status,
        headers=problem.headers,
        media_type=PROBLEM_MEDIA_TYPE,
    )


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries declaring the problem+json errors a route can return."""
    declared: dict[int | str, dict[str, Any]] = {}
    for status in sorted({*statuses, 500}):
        declared[status] = {
            "model": ProblemDetail,
            "description": HTTPStatus(status).phrase,
            "content": {
                PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/ProblemDetail"}}
            },
        }
    return declared


def _field_path(location: Sequence[int | str]) -> str:
    return ".".join(str(part) for part in location)


_VALIDATION_DETAIL = Msg(
    "Ada {count} kesalahan pada data yang dikirim.", "{count} input error(s) in the request."
)


def validation_problem(errors: Sequence[Mapping[str, Any]]) -> Problem:
    field_errors = [
        {
            "field": _field_path(error.get("loc", ())),
            "message": str(error.get("msg", "")),
            "code": str(error.get("type", "invalid")),
        }
        for error in errors
    ]
    return Problem(
        VALIDATION, _VALIDATION_DETAIL, params={"count": len(field_errors)}, errors=field_errors
    )


def field_problem(field: str, message: Msg, code: str = "invalid", **params: object) -> Problem:
    """A 422 naming a single field, for rules checked in services rather than in schemas;
    `params` fill the message's placeholders."""
    return Problem(
        VALIDATION,
        message,
        params=params,
        errors=[{"field": field, "message": message.render(None, **params), "code": code}],
    )


async def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Problem)
    return problem_response(exc, request)


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return problem_response(validation_problem(exc.errors()), request)


_HTTP_DETAILS = {
    404: Msg("Alamat yang diminta tidak ada.", "The requested resource does not exist."),
    405: Msg("Metode ini tidak didukung untuk alamat ini.", "This method is not supported here."),
}


_UNPARSABLE_BODY = {
    UnicodeDecodeError: "JSON body is not valid UTF-8",
    RecursionError: "JSON body is nested too deeply",
    ValueError: "JSON body holds a number too large to read",
}


def _unparsable_body(exc: StarletteHTTPException) -> dict[str, Any] | None:
    """FastAPI answers a body its parser gives up on (not UTF-8, nested past the recursion
    limit, an integer of thousands of digits) with a bare 400 ("error parsing the body"), chained
    to the parser's error. It is malformed JSON like any other, so it gets the same 422."""
    if exc.status_code != 400 or exc.__cause__ is None:
        return None
    for error_type, message in _UNPARSABLE_BODY.items():
        if isinstance(exc.__cause__, error_type):
            return {"loc": ("body",), "msg": message, "type": "json_invalid"}
    return None


async def _on_http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    unparsable = _unparsable_body(exc)
    if unparsable is not None:
        return problem_response(validation_problem([unparsable]), request)
    kind = KIND_BY_STATUS.get(exc.status_code) or ProblemKind(
        f"http-{exc.status_code}", exc.status_code, Msg(str(exc.detail), str(exc.detail))
    )
    detail = _HTTP_DETAILS.get(exc.status_code)
    return problem_response(Problem(kind, detail, headers=exc.headers), request)


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(Problem, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http_exception)
