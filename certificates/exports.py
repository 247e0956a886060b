"""Bulk downloads that never hold a request until it times out.

- ZIP: streamed. The response's body is a generator that renders one certificate, adds it to
  the archive and yields the bytes written so far, so the first bytes leave at once and memory
  holds one certificate at a time. Files are named after the people (`garcia-lopez-ana-PE-2026-000123.pdf`).
- One merged PDF: a reportlab document can only be written whole, so it is built by a
  background thread as a `Job` whose progress the organiser's page polls; the result is a
  file under `app.var_dir/exports`.

Both take finished `CertificateContent`s (prepared inside the request), so rendering needs
neither the database nor the request.
"""
from __future__ import annotations

import io
import json
import logging
import multiprocessing
import os
import threading
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from trainings.models import Job, JobStatus, utcnow

from .pdf import CertificateContent, Renderer

log = logging.getLogger(__name__)
JOB_KIND = "certificates-pdf"
PROGRESS_EVERY = 25


class _Spool(io.RawIOBase):
    """A write-only stream whose contents are taken away as they are yielded."""

    def __init__(self):
        super().__init__()
        self.chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self.chunks)
        self.chunks.clear()
        return data


def zip_stream(renderer: Renderer, contents: Iterable[CertificateContent],
               progress: Callable[[int], None] | None = None, *, processes: int = 1) -> Iterator[bytes]:
    """The ZIP archive of the certificates, produced piece by piece (rendered by `processes`
    worker processes when more than one: the command line uses every core, the web one)."""
    spool = _Spool()
    contents = list(contents)
    rendered = render_in_processes(renderer.layout, contents, processes) if processes > 1 \
        else (renderer.render(content) for content in contents)
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_STORED) as archive:
        for count, (content, pdf) in enumerate(zip(contents, rendered, strict=True), start=1):
            info = zipfile.ZipInfo(content.filename, date_time=content.issued_at.timetuple()[:6])
            info.external_attr = 0o644 << 16
            archive.writestr(info, pdf)
            if progress is not None:
                progress(count)
            chunk = spool.take()
            if chunk:
                yield chunk
    yield spool.take()


_worker_renderer: Renderer | None = None


def _start_worker(layout) -> None:
    global _worker_renderer
    _worker_renderer = Renderer(layout)


def _render_in_worker(content: CertificateContent) -> bytes:
    return _worker_renderer.render(content)


def render_in_processes(layout, contents: list[CertificateContent], processes: int) -> Iterator[bytes]:
    """The PDFs of `contents`, in order, rendered by a pool of processes (each builds its
    renderer once)."""
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    with context.Pool(processes, initializer=_start_worker, initargs=(layout,)) as pool:
        yield from pool.imap(_render_in_worker, contents, chunksize=16)


def write_merged_pdf(renderer: Renderer, contents: list[CertificateContent], path: Path, *,
                     title: str, author: str, progress: Callable[[int], None] | None = None) -> int:
    """Every certificate as a page of one PDF at `path` (written beside it, then moved)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    with open(partial, "wb") as stream:
        count = renderer.render_many(contents, stream, title=title, author=author, progress=progress)
    os.replace(partial, path)
    return count


def exports_dir(settings: dict) -> Path:
    return Path(settings.get("app.var_dir") or "var") / "exports"


def new_job(dbsession, *, training_id: int, total: int, user=None, result_name: str) -> Job:
    job = Job(kind=JOB_KIND, parameters=json.dumps({"training_id": training_id}), total=total,
              status=JobStatus.queued, result_name=result_name)
    if user is not None:
        job.created_by_id = user.id
    dbsession.add(job)
    dbsession.flush()
    return job


def run_job(job_id: int, renderer: Renderer, contents: list[CertificateContent], path: Path, *,
            title: str, author: str, report: Callable[..., None]) -> None:
    """Build the merged PDF, reporting `report(status=..., progress=..., ...)` on the way."""
    report(status=JobStatus.running, progress=0)
    try:
        def progress(done: int) -> None:
            if done % PROGRESS_EVERY == 0:
                report(progress=done)

        count = write_merged_pdf(renderer, contents, path, title=title, author=author, progress=progress)
    except Exception as error:  # noqa: BLE001 - whatever failed, the job says so instead of hanging
        log.exception("export job %s failed", job_id)
        report(status=JobStatus.failed, error=str(error)[:2000], finished_at=utcnow())
        return
    report(status=JobStatus.done, progress=count, result_path=str(path), finished_at=utcnow())


def database_reporter(session_factory, job_id: int) -> Callable[..., None]:
    """Reports a job's progress in short transactions of its own (the thread's)."""

    def report(**values) -> None:
        with session_factory() as dbsession, dbsession.begin():
            job = dbsession.get(Job, job_id)
            for name, value in values.items():
                setattr(job, name, value)

    return report


def start_after_commit(request, job: Job, renderer: Renderer, contents: list[CertificateContent], *,
                       title: str, author: str) -> None:
    """Start the job's thread once the request's transaction (which creates the job) commits."""
    path = exports_dir(request.registry.settings) / f"job-{job.id}.pdf"
    report = database_reporter(request.registry["dbsession_factory"], job.id)
    job_id = job.id

    def start(committed: bool) -> None:
        if committed:
            threading.Thread(target=run_job, args=(job_id, renderer, contents, path),
                             kwargs={"title": title, "author": author, "report": report},
                             name=f"export-{job_id}", daemon=True).start()

    request.tm.get().addAfterCommitHook(start)
