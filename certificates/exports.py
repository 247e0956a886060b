"""Bulk downloads that never hold a request until it times out.

- ZIP: streamed. The response's body is a generator that renders one certificate, adds it to
  the archive and yields the bytes written so far, so the first bytes leave at once and memory
  holds one certificate at a time. Files are named after the people (`garcia-lopez-ana-PE-2026-000123.pdf`).
- One merged PDF: a reportlab document can only be written whole, so it is a `Job` that
  `capacita worker` builds (never a thread of a web process) while the organiser's page follows
  its progress; the result is a file under `app.var_dir/exports`, shared by every machine.

Rendering takes finished `CertificateContent`s, so it needs neither the database nor a request.
"""
from __future__ import annotations

import io
import logging
import multiprocessing
import os
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from trainings.models import Job, JobStatus, Training, utcnow
from trainings.worker import JobRun, queue_job

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


def queue_merged_pdf(dbsession, training, *, total: int, user=None, result_name: str) -> Job:
    """Ask the worker for the training's valid certificates as one PDF."""
    return queue_job(dbsession, JOB_KIND, {"training_id": training.id}, total=total, user=user,
                     result_name=result_name)


def build_merged_pdf(request, job: JobRun) -> None:
    """The worker's handler of JOB_KIND: read the certificates in a short transaction, then
    draw them outside it, reporting progress every PROGRESS_EVERY pages."""
    from . import documents

    with request.tm:
        training = request.dbsession.get(Training, job.parameters["training_id"])
        certificates = documents.training_certificates(request.dbsession, training, valid_only=True)
        renderer = documents.renderer_for(request.dbsession, training)
        contents = documents.contents_for(request, training, certificates)
        title = training.title
        author = training.programme.name if training.programme else "Capacita"
    job.report(status=JobStatus.running, progress=0, total=len(contents))

    def progress(done: int) -> None:
        if done % PROGRESS_EVERY == 0:
            job.report(progress=done)

    path = job.result_path(".pdf")
    count = write_merged_pdf(renderer, contents, path, title=title, author=author, progress=progress)
    job.report(status=JobStatus.done, progress=count, total=count, result_path=job.stored_path(path),
               finished_at=utcnow())


def includeme(config):
    config.add_job_handler(JOB_KIND, build_merged_pdf)
