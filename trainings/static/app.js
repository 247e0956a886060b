// Behaviour of every page, kept out of the HTML so that the Content-Security-Policy can allow
// scripts from this site only (script-src 'self'): no inline script, no onsubmit attribute.
(function () {
  'use strict';

  // Deform's widgets (loaded before this file on pages with a form).
  if (window.deform && typeof window.deform.load === 'function') {
    window.deform.load();
  }

  // A form sent back with errors: the list of them (each a link to its field) takes the focus,
  // rather than the first field, so that a screen reader or a phone starts where the problems are.
  var summary = document.getElementById('error-summary');
  if (summary) { summary.focus(); }

  // <form data-confirm="question">: ask before sending.
  document.addEventListener('submit', function (event) {
    var question = event.target.getAttribute && event.target.getAttribute('data-confirm');
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  }, true);

  // "Save and add another": the same form, sent with then=another (a session form).
  var another = document.querySelector('[data-add-another]');
  var form = document.getElementById('form');
  if (another && form) {
    var submit = form.querySelector('button[name=submit]');
    if (submit) {
      var button = document.createElement('button');
      button.type = 'submit'; button.name = 'then'; button.value = 'another';
      button.className = 'btn btn-outline-primary ms-2';
      button.textContent = another.getAttribute('data-add-another');
      submit.insertAdjacentElement('afterend', button);
    }
  }

  // Venues offered are those of the chosen region (the server checks it too).
  var region = document.querySelector('select[name=region_id]');
  var venue = document.querySelector('select[name=venue_id]');
  if (region && venue) {
    var regionName = function () {
      var option = region.options[region.selectedIndex];
      return option && option.value ? option.text.split(' (')[0] : null;
    };
    var filter = function () {
      var name = regionName();
      Array.prototype.forEach.call(venue.options, function (option) {
        var match = !option.value || !name || option.text.endsWith(' — ' + name);
        option.hidden = !match;
        if (!match && option.selected) venue.value = '';
      });
    };
    region.addEventListener('change', filter);
    filter();
  }
  // <button data-print>: print the page (a questionnaire on paper).
  document.addEventListener('click', function (event) {
    var target = event.target.closest && event.target.closest('[data-print]');
    if (target) { window.print(); }
  });

  // <iframe data-preview-of="FORM_ID">: on a wide screen, a moment after each change the form's
  // values (unsaved) go to its preview button's address and the PDF returned is shown (the
  // certificate layout editor). Phones and pages without script use the button itself.
  var frame = document.querySelector('iframe[data-preview-of]');
  var previewed = frame && document.getElementById(frame.getAttribute('data-preview-of'));
  var previewButton = document.querySelector('#preview-controls button[name=preview]');
  var status = document.getElementById('preview-status');
  var language = document.getElementById('preview-language');
  if (previewed && previewButton && status && window.fetch && window.URL &&
      window.matchMedia('(min-width: 992px)').matches) {
    var url = previewButton.getAttribute('formaction');
    var timer = null, current = null, shown = null;
    var say = function (name) { status.textContent = status.getAttribute('data-' + name); };
    var refresh = function () {
      var data = new FormData(previewed);
      if (language) { data.append('preview_language', language.value); }
      var request = current = {};
      say('loading');
      fetch(url, {method: 'POST', body: data, credentials: 'same-origin'}).then(function (response) {
        if (request !== current) { return null; }
        if (response.status === 400) { say('invalid'); return null; }
        if (!response.ok) { say('failed'); return null; }
        return response.blob();
      }).then(function (blob) {
        if (!blob || request !== current) { return; }
        if (shown) { URL.revokeObjectURL(shown); }
        shown = URL.createObjectURL(blob);
        frame.src = shown + '#toolbar=0&view=Fit';
        frame.classList.remove('d-none');
        say('ready');
      }).catch(function () { say('failed'); });
    };
    var later = function () { clearTimeout(timer); timer = setTimeout(refresh, 600); };
    previewed.addEventListener('input', later);
    previewed.addEventListener('change', later);
    if (language) { language.addEventListener('change', later); }
    refresh();
  }
  // <input data-tick-all>: "select all on this page" ticks every row's box of the same form
  // (a bulk action on registrations; without script, they are ticked one by one).
  document.addEventListener('change', function (event) {
    var all = event.target;
    if (!all.hasAttribute || !all.hasAttribute('data-tick-all')) { return; }
    var boxes = document.querySelectorAll('input[type=checkbox][form="' + all.getAttribute('form') + '"]');
    Array.prototype.forEach.call(boxes, function (box) {
      if (box !== all) { box.checked = all.checked; }
    });
  });
})();
