/* probe.js - appended by tests/pack/run.sh to a copy of the HTML report:
 * once the page has rendered, writes the text of the report app, shadow
 * roots included, into <pre id="ww-probe">, which chromium --dump-dom
 * prints (the dump does not include shadow roots).  Script errors are
 * written into <pre id="ww-errors">. */
(function () {
	var errors = [];

	function text(n) {
		var t = '', c;

		if (n.shadowRoot)
			t += text(n.shadowRoot);
		for (c = n.firstChild; c; c = c.nextSibling) {
			if (c.nodeType === 3 && c.textContent.trim())
				t += c.textContent.trim() + ' ';
			else if (c.nodeType === 1 && c.tagName !== 'SCRIPT' && c.tagName !== 'STYLE')
				t += text(c);
		}
		return t;
	}
	function out(id, s) {
		var p = document.createElement('pre');

		p.id = id;
		p.textContent = s;
		document.body.appendChild(p);
	}
	window.addEventListener('error', function (e) { errors.push(e.message); });
	setTimeout(function () {
		var app = document.querySelector('mutation-test-report-app');

		out('ww-upgraded', app && app.shadowRoot ? 'yes' : 'no');
		out('ww-probe', app ? text(app) : '');
		out('ww-errors', errors.join('\n'));
	}, 3000);
})();
