"""deform's Chameleon templates are compiled when the application starts, so the first forms a
fresh threaded worker renders concurrently never race the template compiler; and what the start-up
made is frozen out of the garbage collector's walks."""
import gc
import os
import threading

import deform
import webtest

from trainings import make_app, make_configurator
from trainings.forms import compile_form_templates, template_cache_directory


def _widget_templates() -> list:
    loader = deform.Form.default_renderer.loader
    names = []
    for directory in loader.search_path:
        for folder, _subfolders, files in os.walk(directory):
            names += [os.path.relpath(os.path.join(folder, name), directory)[:-3] for name in files
                      if name.endswith(".pt")]
    return names


def test_a_fresh_application_has_every_widget_template_compiled(app_settings, engine):
    make_configurator(dict(app_settings, **{"capacita.engine": engine}))
    renderer = deform.Form.default_renderer
    names = _widget_templates()
    assert len(names) > 30
    assert all(renderer.load(name)._cooked for name in names)  # a new renderer: cooked by the start-up
    cache = template_cache_directory(app_settings)
    assert sum(name.endswith(".py") for name in os.listdir(cache)) >= len(names)  # kept for the next start
    assert compile_form_templates() == len(names)


def test_forms_rendered_concurrently_from_threads_on_a_fresh_application(app_settings, engine):
    fresh = make_configurator(dict(app_settings, **{"capacita.engine": engine})).make_wsgi_app()
    pages = ["/login", "/lost-link"] * 4
    failures, barrier = [], threading.Barrier(len(pages))

    def render(path):
        client = webtest.TestApp(fresh, extra_environ={"HTTP_HOST": "capacita.test"})
        barrier.wait()
        try:
            response = client.get(path, expect_errors=True)
            if response.status_int != 200 or "<form" not in response.text:
                failures.append((path, response.status_int))
        except Exception as error:  # noqa: BLE001 - any failure of a thread is the test's failure
            failures.append((path, repr(error)))

    threads = [threading.Thread(target=render, args=(path,)) for path in pages]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []


def test_the_served_application_freezes_what_its_start_up_made(app_settings, engine):
    try:
        app = make_app(dict(app_settings, **{"capacita.engine": engine}))
        assert gc.get_freeze_count() > 10_000  # routes, mappers, compiled templates
        response = webtest.TestApp(app, extra_environ={"HTTP_HOST": "capacita.test"}).get("/login")
        assert "<form" in response.text
    finally:
        gc.unfreeze()  # the rest of the test run collects as usual
