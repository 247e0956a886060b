"""Spanish first; the switcher's choice is remembered over the browser's preference."""


def test_spanish_is_the_default(testapp):
    assert "Capacitaciones para funcionarios públicos" in testapp.get("/").text


def test_the_browser_language_is_used_when_nothing_was_chosen(testapp):
    page = testapp.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert 'lang="fr"' in page.text and "Formations pour les agents publics" in page.text


def test_the_switcher_remembers_the_choice(testapp):
    response = testapp.get("/language/en?next=/login", headers={"Accept-Language": "fr"})
    assert response.location.endswith("/login")
    page = response.follow(headers={"Accept-Language": "fr"})
    assert "Organisers log in" in page.text


def test_the_switcher_never_redirects_elsewhere(testapp):
    assert testapp.get("/language/en?next=//evil.example/x").location.endswith("/")


def test_an_unknown_language_keeps_the_current_one(testapp):
    testapp.get("/language/de")
    assert "Capacitaciones para funcionarios públicos" in testapp.get("/").text


def test_error_pages_are_translated(testapp):
    assert "Página no encontrada" in testapp.get("/no-such-page", status=404).text
    english = testapp.get("/no-such-page", headers={"Accept-Language": "en"}, status=404)
    assert "Page not found" in english.text


def test_colander_messages_are_translated(testapp):
    page = testapp.get("/login")
    form = page.forms["form"]
    response = form.submit("submit", status=400)
    assert "Requerido" in response.text
