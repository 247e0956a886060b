"""Settings from the environment, and the `capacita` command line."""
import pytest

from trainings import cli
from trainings.settings import SettingsError, apply_environment


def test_environment_overrides_the_ini():
    settings = apply_environment({"sqlalchemy.url": "sqlite://"},
                                 {"DATABASE_URL": "postgresql+psycopg://db/capacita", "SMTP_HOST": "smtp.example"})
    assert settings["sqlalchemy.url"] == "postgresql+psycopg://db/capacita"
    assert settings["mail.host"] == "smtp.example"


def test_production_refuses_to_start_without_its_secrets():
    with pytest.raises(SettingsError, match="CAPACITA_SECRET"):
        apply_environment({"app.require_secrets": "true", "sqlalchemy.url": "postgresql://x"}, {})
    settings = apply_environment({"app.require_secrets": "true"},
                                 {"DATABASE_URL": "postgresql://x", "CAPACITA_SECRET": "s" * 40})
    assert settings["session.secret"] == "s" * 40


@pytest.fixture
def ini_file(tmp_path):
    path = tmp_path / "test.ini"
    path.write_text(
        "[app:main]\nuse = egg:capacita\n"
        f"sqlalchemy.url = sqlite:///{tmp_path}/cli.sqlite\n"
        "session.secret = cli-test\n"
        f"jinja2.directories = {cli.__file__.rsplit('/trainings/', 1)[0]}/templates\n"
        f"app.var_dir = {tmp_path}\n"
        f"mail.file_path = {tmp_path}/mail\n"
    )
    return path


def test_migrate_then_create_user_then_if_none(ini_file, tmp_path, capsys):
    assert cli.main(["-c", str(ini_file), "migrate"]) == 0
    remember = tmp_path / "login.txt"
    assert cli.main(["-c", str(ini_file), "create-user", "admin@capacita.test", "--role", "admin",
                     "--generate", "--remember", str(remember)]) == 0
    created = capsys.readouterr().out
    assert "admin@capacita.test" in created and "password" in created
    assert oct(remember.stat().st_mode & 0o777) == "0o600"
    assert cli.main(["-c", str(ini_file), "create-user", "--if-none", "--remember", str(remember)]) == 0
    assert "admin@capacita.test" in capsys.readouterr().out
    # A login remembered for another database (make run DATABASE_URL=…) is not shown as this one's.
    remember.write_text(remember.read_text().splitlines()[0] + "\ndatabase sqlite:////elsewhere.sqlite\n")
    assert cli.main(["-c", str(ini_file), "create-user", "--if-none", "--remember", str(remember)]) == 0
    assert "password" not in capsys.readouterr().out
    assert cli.main(["-c", str(ini_file), "create-user", "admin@capacita.test", "--generate"]) == 2
    assert "exists already" in capsys.readouterr().err


def test_demo_loads_once(ini_file, capsys):
    cli.main(["-c", str(ini_file), "migrate"])
    assert cli.main(["-c", str(ini_file), "demo", "--if-empty"]) == 0
    assert "demo data loaded" in capsys.readouterr().out
    assert cli.main(["-c", str(ini_file), "demo", "--if-empty"]) == 0
    assert "not loaded" in capsys.readouterr().out
