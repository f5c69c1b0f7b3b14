/* BEBELI — small progressive enhancements. Plain ES2017, no dependencies.
   Everything uses event delegation on `document`, so it also works for
   markup added later. Loaded with `defer`; CSP-safe (no eval, no inline). */
(function () {
  'use strict';

  var doc = document;

  function closest(target, selector) {
    return target && target.closest ? target.closest(selector) : null;
  }

  /* ---------------------------------------------------------------- clicks */
  doc.addEventListener('click', function (event) {
    var target = event.target;

    // Navigation toggle (mobile menu)
    var toggle = closest(target, '.nav-toggle');
    if (toggle) {
      var menu = doc.getElementById(toggle.getAttribute('aria-controls') || '');
      if (menu) {
        var open = !menu.classList.contains('is-open');
        menu.classList.toggle('is-open', open);
        toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
      }
      return;
    }

    // Dismiss a flash message
    var close = closest(target, '.flash-close');
    if (close) {
      var flash = closest(close, '.flash');
      if (flash) {
        var list = flash.parentNode;
        flash.remove();
        if (list && list.classList && list.classList.contains('flashes') && !list.querySelector('.flash')) {
          list.remove();
        }
      }
      return;
    }

    // Confirmation on individual buttons
    var confirmBtn = closest(target, 'button[data-confirm], input[type="submit"][data-confirm]');
    if (confirmBtn && !confirmBtn.disabled) {
      if (!window.confirm(confirmBtn.getAttribute('data-confirm'))) {
        event.preventDefault();
        event.stopImmediatePropagation();
      } else {
        // Do not ask a second time if the form also has data-confirm.
        var f = confirmBtn.form;
        if (f && f.hasAttribute('data-confirm')) {
          f.setAttribute('data-confirmed', '1');
          window.setTimeout(function () { f.removeAttribute('data-confirmed'); }, 0);
        }
      }
    }
  });

  // Escape closes the open mobile menu and returns focus to its toggle.
  doc.addEventListener('keydown', function (event) {
    if (event.key !== 'Escape') return;
    var toggle = doc.querySelector('.nav-toggle[aria-expanded="true"]');
    if (!toggle) return;
    var menu = doc.getElementById(toggle.getAttribute('aria-controls') || '');
    if (menu) menu.classList.remove('is-open');
    toggle.setAttribute('aria-expanded', 'false');
    toggle.focus();
  });

  /* ---------------------------------------------------------------- submit */
  doc.addEventListener('submit', function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;

    // form[data-confirm]
    if (form.hasAttribute('data-confirm')) {
      if (form.getAttribute('data-confirmed') === '1') {
        form.removeAttribute('data-confirmed');
      } else if (!window.confirm(form.getAttribute('data-confirm'))) {
        event.preventDefault();
        return;
      }
    }

    // form[data-once]: block repeat submissions, then disable the buttons.
    if (form.hasAttribute('data-once')) {
      if (form.getAttribute('data-submitted') === '1') {
        event.preventDefault();
        return;
      }
      if (event.defaultPrevented) return;
      form.setAttribute('data-submitted', '1');
      form.setAttribute('aria-busy', 'true');
      // Deferred so the clicked button's name/value is still submitted.
      window.setTimeout(function () {
        var buttons = form.querySelectorAll('button:not([type="button"]):not([type="reset"]), input[type="submit"], input[type="image"]');
        Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
        if (form.id) {
          var outside = doc.querySelectorAll('[form="' + form.id + '"][type="submit"]');
          Array.prototype.forEach.call(outside, function (b) { b.disabled = true; });
        }
      }, 0);
    }
  });

  // Restore data-once forms when a page comes back from the back/forward cache.
  window.addEventListener('pageshow', function (event) {
    if (!event.persisted) return;
    Array.prototype.forEach.call(doc.querySelectorAll('form[data-once][data-submitted]'), function (form) {
      form.removeAttribute('data-submitted');
      form.removeAttribute('aria-busy');
      Array.prototype.forEach.call(form.querySelectorAll('button, input[type="submit"], input[type="image"]'), function (b) {
        b.disabled = false;
      });
    });
  });

  /* ---------------------------------------------------------------- change */
  doc.addEventListener('change', function (event) {
    var el = event.target;
    if (!el || !el.matches) return;

    // Auto-submit filters
    if (el.matches('select[data-autosubmit], input[data-autosubmit]') && el.form) {
      if (typeof el.form.requestSubmit === 'function') el.form.requestSubmit();
      else el.form.submit();
      return;
    }

    // Image previews for file inputs
    if (el.matches('input[type="file"][data-preview]')) {
      showPreview(el);
      return;
    }

    // Parent of a dependent select (e.g. kecamatan -> kelurahan)
    if (el.matches('select') && el.name) {
      var scope = el.form || doc;
      Array.prototype.forEach.call(scope.querySelectorAll('select[data-dependent-select]'), function (child) {
        if (child.getAttribute('data-parent') === el.name) loadOptions(child, el.value);
      });
    }
  });

  /* -------------------------------------------------------- dependent select */
  function resetOptions(select, items) {
    var placeholder = select.getAttribute('data-placeholder');
    var previous = select.value;
    while (select.options.length) select.remove(0);
    select.add(new Option(placeholder === null ? '' : placeholder, ''));
    (items || []).forEach(function (item) {
      if (!item) return;
      var value = item.value == null ? '' : String(item.value);
      var label = item.label == null ? value : String(item.label);
      select.add(new Option(label, value, false, value === previous && value !== ''));
    });
  }

  function loadOptions(select, parentValue) {
    var source = select.getAttribute('data-source');
    var token = String(Date.now()) + Math.random();
    select.setAttribute('data-request', token);

    if (!source || !parentValue) {
      resetOptions(select, []);
      select.dispatchEvent(new Event('change', { bubbles: true }));
      return;
    }

    var url = source + (source.indexOf('?') === -1 ? '?' : '&') + 'parent=' + encodeURIComponent(parentValue);
    select.disabled = true;
    select.setAttribute('aria-busy', 'true');

    fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (response) {
        if (!response.ok) throw new Error('HTTP ' + response.status);
        return response.json();
      })
      .then(function (items) {
        if (select.getAttribute('data-request') !== token) return; // a newer request won
        resetOptions(select, Array.isArray(items) ? items : []);
      })
      .catch(function () {
        if (select.getAttribute('data-request') !== token) return;
        resetOptions(select, []);
      })
      .then(function () {
        if (select.getAttribute('data-request') !== token) return;
        select.disabled = false;
        select.removeAttribute('aria-busy');
        select.dispatchEvent(new Event('change', { bubbles: true }));
      });
  }

  /* ------------------------------------------------------------ file preview */
  function showPreview(input) {
    var box = doc.getElementById(input.getAttribute('data-preview') || '');
    if (!box) return;
    while (box.firstChild) box.removeChild(box.firstChild);
    var files = Array.prototype.slice.call(input.files || [], 0, 12);
    files.forEach(function (file) {
      if (!/^image\//.test(file.type)) return;
      // data: URLs (not blob:) because the CSP only allows img-src 'self' data:
      var reader = new FileReader();
      reader.onload = function () {
        var img = doc.createElement('img');
        img.className = 'file-preview-img';
        img.alt = file.name;
        img.src = reader.result;
        box.appendChild(img);
      };
      reader.readAsDataURL(file);
    });
  }
})();

/* ==========================================================================
   Upload progress: form[data-upload-progress]
   Sends the form with XMLHttpRequest so a <progress> inside its
   [data-upload-status] box (unhidden on submit) shows how much of the file has
   gone; then the bar turns indeterminate and [data-upload-message] shows the
   form's data-upload-busy text while the server works. The answer (after any
   redirect) replaces the page body and its URL is pushed to the history, so
   flash messages are shown exactly once. On a network error the form is
   re-enabled and data-upload-failed is shown. Without JS the form posts as usual.
   ========================================================================== */
(function () {
  'use strict';

  var doc = document;
  var reloadOnPop = false;

  function enable(form) {
    form.removeAttribute('data-submitted');
    form.removeAttribute('aria-busy');
    Array.prototype.forEach.call(form.querySelectorAll('button, input[type="submit"]'), function (b) {
      b.disabled = false;
    });
  }

  function showPage(html, url) {
    var next = new DOMParser().parseFromString(html, 'text/html');
    if (!next.body || !next.body.children.length) return false;
    doc.title = next.title;
    doc.body.replaceWith(doc.adoptNode(next.body));
    if (url && url !== window.location.href) {
      window.history.pushState(null, '', url);
      if (!reloadOnPop) {
        reloadOnPop = true;
        // The earlier page's body is gone: going back loads it again.
        window.addEventListener('popstate', function () { window.location.reload(); });
      }
    }
    window.scrollTo(0, 0);
    var main = doc.getElementById('main');
    if (main) {
      main.setAttribute('tabindex', '-1');
      main.focus({ preventScroll: true });
    }
    return true;
  }

  doc.addEventListener('submit', function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-upload-progress')) return;
    if (event.defaultPrevented || !window.FormData || !window.XMLHttpRequest || !window.DOMParser) return;
    event.preventDefault();

    var box = form.querySelector('[data-upload-status]');
    var bar = box ? box.querySelector('progress') : null;
    var message = box ? box.querySelector('[data-upload-message]') : null;
    function say(text) { if (message) message.textContent = text || ''; }
    if (box) box.hidden = false;
    if (bar) { bar.max = 100; bar.value = 0; }

    var data;
    try {
      data = new FormData(form, event.submitter || undefined);
    } catch (e) {
      data = new FormData(form);
    }
    var xhr = new XMLHttpRequest();
    xhr.open('POST', form.action);
    xhr.setRequestHeader('X-Requested-With', 'XMLHttpRequest');
    xhr.upload.addEventListener('progress', function (e) {
      if (!e.lengthComputable || !bar) return;
      var percent = Math.round((e.loaded / e.total) * 100);
      bar.value = percent;
      say(percent + '%');
    });
    xhr.upload.addEventListener('load', function () {
      if (bar) bar.removeAttribute('value'); // indeterminate: the server is working
      say(form.getAttribute('data-upload-busy'));
    });
    function failed() {
      enable(form);
      if (bar) bar.value = 0;
      say(form.getAttribute('data-upload-failed'));
    }
    xhr.addEventListener('load', function () {
      if (!showPage(xhr.responseText, xhr.responseURL)) failed();
    });
    xhr.addEventListener('error', failed);
    xhr.send(data);
  });
})();
