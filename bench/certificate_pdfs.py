"""Certificate rendering figures (not a test: prints numbers).

    .venv/bin/python bench/certificate_pdfs.py [--single 300] [--bulk 3000]

1. single certificates per second on one core: one process renders certificates one after
   another (each a complete PDF, as a download or an email attachment is), reported both by
   wall time and by the process's CPU time (the machine may be shared);
2. the wall time of a real bulk export: a throw-away SQLite database with one training and
   N issued certificates, exported by `capacita certificates export TRAINING OUT.zip`
   (which renders on every core, up to four) and, for comparison, to one merged PDF.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import os
import resource
import secrets
import sys
import tempfile
import time
from pathlib import Path

# Named so as not to shadow the `certificates` package for the scripts beside it (the folder of
# a script comes first on sys.path); the project's root goes first all the same.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from certificates.codes import format_serial, new_verification_code  # noqa: E402
from certificates.layouts import default_layout  # noqa: E402
from certificates.pdf import CertificateContent, Renderer  # noqa: E402

GIVEN = ["María José", "Tomás", "Ñusta", "Jorge Luis", "Ana Lucía", "Σωκράτης", "Ивана", "Rosa Elvira", "Luis Ángel"]
FAMILY = ["García D'Angelo", "Quispe Huamán", "Benítez Acosta", "Mamani Ccori", "Peña Gonçalves", "Núñez Rojas"]


def sample_content(number: int) -> CertificateContent:
    code = new_verification_code()
    name = f"{GIVEN[number % len(GIVEN)]} {FAMILY[number % len(FAMILY)]}"
    texts = {
        "programme": "Programa de fortalecimiento de capacidades contra la trata de personas",
        "heading": "Certificado de asistencia", "intro": "Se certifica que", "statement": "asistió a la capacitación",
        "training": "Taller regional de capacitación contra la trata de personas y el tráfico ilícito de migrantes",
        "dates_place": "10–12 de marzo de 2026 · Cusco, Perú", "hours": "16 horas de asistencia",
        "serial": f"N.º de serie {format_serial('PE', 2026, number)} · emitido el 12 de marzo de 2026",
        "verification": f"Código de verificación {code} · https://capacita.example/verify",
    }
    return CertificateContent(name, texts, f"https://capacita.example/verify/{code}",
                              dt.datetime(2026, 3, 12, 18, tzinfo=dt.UTC), f"Certificado — {name}",
                              "Programa", "Taller regional", filename=f"c-{number}.pdf")


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the export's workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def single(count: int) -> None:
    renderer = Renderer(default_layout())
    contents = [sample_content(number) for number in range(count)]
    renderer.render(contents[0])  # warm: fonts parsed, QR code paths
    wall, cpu = time.perf_counter(), time.process_time()
    sizes = [len(renderer.render(content)) for content in contents]
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"single: {count} certificates in {wall:.2f} s wall ({count / wall:.0f}/s), "
          f"{cpu:.2f} s CPU ({count / cpu:.0f}/s on one core), {sum(sizes) / len(sizes) / 1024:.0f} KiB each, "
          f"load average {os.getloadavg()[0]:.1f}")


def bulk(count: int) -> None:
    from sqlalchemy.orm import Session

    from certificates.models import Certificate, CertificateKind
    from participants.models import Person, Registration, RegistrationStatus
    from trainings.cli import main
    from trainings.db import make_engine, migrate
    from trainings.models import Region, Training, TrainingKind, TrainingStatus

    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{directory}/bench.sqlite"
        ini = Path(directory) / "bench.ini"
        ini.write_text(f"[app:main]\nuse = egg:capacita\nsqlalchemy.url = {url}\nsession.secret = bench\n"
                       f"app.public_url = https://capacita.example\napp.var_dir = {directory}\n")
        engine = make_engine({"sqlalchemy.url": url})
        migrate(engine)
        with Session(engine) as session:
            region = Region(country="PE", name="Cusco", city="Cusco", timezone="America/Lima")
            training = Training(title="Taller regional de capacitación contra la trata de personas",
                                kind=TrainingKind.workshop, region=region, capacity=count,
                                status=TrainingStatus.published, starts_on=dt.date(2026, 3, 10),
                                ends_on=dt.date(2026, 3, 12))
            session.add(training)
            for number in range(count):
                person = Person(given_names=GIVEN[number % len(GIVEN)], family_names=FAMILY[number % len(FAMILY)],
                                email=f"p{number}@example.org")
                registration = Registration(training=training, person=person, status=RegistrationStatus.confirmed,
                                            token_hash=secrets.token_hex(32))
                session.add(Certificate(registration=registration, kind=CertificateKind.participation,
                                        serial=format_serial("PE", 2026, number + 1),
                                        verification_code=new_verification_code(), language="es",
                                        issued_at=dt.datetime(2026, 3, 12, 18, tzinfo=dt.UTC),
                                        given_names=person.given_names, family_names=person.family_names,
                                        training_title=training.title, city=region.city, country=region.country,
                                        starts_on=training.starts_on, ends_on=training.ends_on, minutes=1200))
            session.commit()
            training_id = training.id
        engine.dispose()
        for out in ("all.zip", "all.pdf"):
            target = Path(directory) / out
            wall, cpu = time.perf_counter(), _cpu_seconds()
            with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
                assert main(["-c", str(ini), "certificates", "export", str(training_id), str(target)]) == 0
            wall, cpu = time.perf_counter() - wall, _cpu_seconds() - cpu
            print(f"bulk export of {count} to {out}: {wall:.1f} s wall ({count / wall:.0f}/s), {cpu:.1f} s CPU "
                  f"in all processes, {target.stat().st_size / 2**20:.0f} MiB, {os.cpu_count()} core(s), "
                  f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--single", type=int, default=300)
    parser.add_argument("--bulk", type=int, default=3000)
    args = parser.parse_args()
    single(args.single)
    if args.bulk:
        bulk(args.bulk)
