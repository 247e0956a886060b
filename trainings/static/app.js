// Behaviour of every page, kept out of the HTML so that the Content-Security-Policy can allow
// scripts from this site only (script-src 'self'): no inline script, no onsubmit attribute.
(function () {
  'use strict';

  // Deform's widgets (loaded before this file on pages with a form).
  if (window.deform && typeof window.deform.load === 'function') {
    window.deform.load();
  }

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
})();
