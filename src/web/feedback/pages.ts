/**
 * The app's HTML pages: fixed markup whose only inserted values are tokens checked to be base64url (so nothing a
 * user or a model wrote ever reaches HTML). Everything dynamic is filled in by the page scripts with `textContent`.
 */
import { readFileSync } from 'node:fs';
import { HhrlError } from '../../spec/errors.ts';

/** A token safe to put in an HTML attribute (base64url or hex only). */
function token(value: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(value)) throw new HhrlError('refusing to put a non-token value into a page');
  return value;
}

function page(title: string, body: string, head = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="stylesheet" href="/static/style.css">
${head}
</head>
<body>
${body}
</body>
</html>
`;
}

/** Shown at `/` without a session. */
export function signedOutPage(): string {
  return page('hhrl feedback', `<main class="narrow"><h1>hhrl feedback</h1>
<p>Open the invite link you were given to sign in.</p>
<p><a href="/admin">Administrator sign-in</a></p></main>`);
}

/** Shown at `/join/SECRET`: a button that posts the invite secret (a GET never signs anyone in). */
export function joinPage(secret: string): string {
  return page('Sign in — hhrl feedback', `<main class="narrow"><h1>hhrl feedback</h1>
<p>You have been invited to compare an assistant's replies.</p>
<form method="post" action="/join">
<input type="hidden" name="secret" value="${token(secret)}">
<button type="submit" autofocus>Sign in</button>
</form></main>`);
}

/** The annotator's page: task choice, chat, the two replies, the strength scale. */
export function annotatorPage(csrfToken: string): string {
  return page(
    'hhrl feedback',
    `<header class="bar"><span class="brand">hhrl feedback</span><span id="who" class="who"></span>
<button type="button" id="sign-out" class="link">Sign out</button></header>
<main>
<section id="tasks" aria-labelledby="tasks-title">
<h1 id="tasks-title">Choose a task</h1>
<div class="task-list">
<button type="button" class="task" data-task="helpful" disabled><strong>Helpfulness</strong><span id="task-helpful-text"></span></button>
<button type="button" class="task" data-task="red-team" disabled><strong>Red team</strong><span id="task-red-team-text"></span></button>
</div>
</section>
<section id="chat" hidden aria-labelledby="chat-title">
<h1 id="chat-title"></h1>
<p id="instruction" class="instruction"></p>
<ol id="transcript" class="transcript" aria-label="Conversation so far"></ol>
<div id="candidates" class="candidates" hidden>
<article class="reply" aria-labelledby="reply-a-title"><h2 id="reply-a-title">Reply A</h2><p id="reply-a" class="reply-text" aria-live="polite"></p></article>
<article class="reply" aria-labelledby="reply-b-title"><h2 id="reply-b-title">Reply B</h2><p id="reply-b" class="reply-text" aria-live="polite"></p></article>
</div>
<form id="pick-form" hidden>
<fieldset>
<legend id="question"></legend>
<div id="scale" class="scale"></div>
<p class="hint">Keys 1–6 choose, Enter submits.</p>
<button type="submit" id="submit-pick">Submit choice</button>
<button type="button" id="retry" hidden>Retry</button>
</fieldset>
</form>
<form id="composer">
<label for="message">Your message</label>
<textarea id="message" rows="3" maxlength="4000" required></textarea>
<p class="hint">Enter sends, Shift+Enter starts a new line.</p>
<button type="submit" id="send">Send</button>
</form>
<p class="actions"><button type="button" id="end">End conversation</button> <button type="button" id="new">New conversation</button></p>
</section>
<p id="status" class="status" role="status" aria-live="polite"></p>
</main>
<script type="module" src="/static/annotate.js"></script>`,
    `<meta name="csrf-token" content="${token(csrfToken)}">`,
  );
}

/** The admin's sign-in form. */
export function adminLoginPage(failed: boolean): string {
  return page('Admin — hhrl feedback', `<main class="narrow"><h1>Administrator sign-in</h1>
${failed ? '<p class="error" role="alert">That token is not right.</p>' : ''}
<form method="post" action="/admin/login">
<label for="token">Admin token</label>
<input type="password" id="token" name="token" autocomplete="current-password" required autofocus>
<button type="submit">Sign in</button>
</form></main>`);
}

/** The admin's page: invites, annotators and their statistics, quality flags, export and training. */
export function adminPage(csrfToken: string): string {
  return page(
    'Admin — hhrl feedback',
    `<header class="bar"><span class="brand">hhrl feedback · admin</span><span class="who">Administrator</span><button type="button" id="sign-out" class="link">Sign out</button></header>
<main>
<section aria-labelledby="invite-title"><h1 id="invite-title">Invite an annotator</h1>
<form id="invite-form"><label for="invite-name">Name</label> <input id="invite-name" maxlength="100" required> <button type="submit">Create invite link</button></form>
<p id="invite-link" class="invite-link"></p></section>
<section aria-labelledby="annotators-title"><h2 id="annotators-title">Annotators</h2>
<table id="annotators"><thead><tr><th scope="col">Name</th><th scope="col">Picks</th><th scope="col">Helpful</th><th scope="col">Red team</th>
<th scope="col">Median time to pick</th><th scope="col">Agreement</th><th scope="col">Known-answer accuracy</th><th scope="col">Same pick on repeats</th><th scope="col">Flags</th><th scope="col">Data</th></tr></thead><tbody></tbody></table></section>
<section aria-labelledby="data-title"><h2 id="data-title">Data</h2>
<p id="generation"></p>
<p><a href="/admin/api/export?format=hh" download>Export HH JSONL</a> · <a href="/admin/api/export?format=trl" download>Export TRL JSONL</a></p>
<p><button type="button" id="train">Train a preference model on the current data</button> <span id="train-status" role="status"></span></p></section>
<p id="status" class="status" role="status" aria-live="polite"></p>
</main>
<script type="module" src="/static/admin.js"></script>`,
    `<meta name="csrf-token" content="${token(csrfToken)}">`,
  );
}

const STATIC_TYPES = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' } as const;

/** The static files, read once; looked up by exact name, so no path reaches the file system. */
export const STATIC_FILES: ReadonlyMap<string, { body: string; type: string }> = new Map(
  ['annotate.js', 'admin.js', 'client.js', 'style.css'].map((name) => {
    const extension = name.slice(name.lastIndexOf('.')) as keyof typeof STATIC_TYPES;
    return [name, { body: readFileSync(new URL(`./static/${name}`, import.meta.url), 'utf8'), type: STATIC_TYPES[extension] }];
  }),
);
