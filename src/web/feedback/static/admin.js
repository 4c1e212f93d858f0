/* global document, URL */
// The admin's page: invites, per-annotator statistics with quality flags and their evidence, exclusion, export
// and a button that starts preference-model training on the store's data. Text only, never HTML.
import { api, byId, say, signOutButton } from './client.js';

const percent = (value) => (value === null || value === undefined ? '—' : `${(100 * value).toFixed(0)}%`);

function cell(text) {
  const td = document.createElement('td');
  td.textContent = text;
  return td;
}

function row(annotator) {
  const tr = document.createElement('tr');
  const quality = annotator.quality ?? {};
  const flags = cell((quality.flags ?? []).map((flag) => flag.evidence).join('; ') || '—');
  if ((quality.flags ?? []).length > 0) tr.className = 'flagged';
  const toggle = document.createElement('button');
  toggle.type = 'button';
  toggle.textContent = annotator.excludedAt === null ? 'Exclude' : 'Include again';
  toggle.setAttribute('aria-label', `${toggle.textContent} the data of ${annotator.name}`);
  toggle.addEventListener('click', async () => {
    const result = await api('POST', `/admin/api/annotators/${encodeURIComponent(annotator.id)}/exclusion`, { excluded: annotator.excludedAt === null });
    say(`${annotator.name}: ${result.moved} comparisons moved.`);
    await refresh();
  });
  const action = document.createElement('td');
  action.append(toggle);
  const rate = (figure) => (figure === undefined || figure === null ? '—' : `${percent(figure.rate)} of ${figure.items}`);
  tr.append(
    cell(annotator.name), cell(String(annotator.picks)), cell(String(annotator.byTask.helpful)), cell(String(annotator.byTask['red-team'])),
    cell(annotator.medianLatencyMs === null ? '—' : `${(annotator.medianLatencyMs / 1000).toFixed(1)} s`), cell(rate(quality.agreement)), cell(rate(quality.gold)), cell(rate(quality.consistency)), flags, action,
  );
  return tr;
}

async function refresh() {
  const data = await api('GET', '/admin/api/annotators');
  document.querySelector('#annotators tbody').replaceChildren(...data.annotators.map(row));
  byId('generation').textContent = `${data.comparisons} comparisons in the store; ${data.generation.replies} replies generated, ${data.generation.failures} failed model calls since start.`;
}

byId('invite-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  try {
    const invite = await api('POST', '/admin/api/invites', { name: byId('invite-name').value });
    byId('invite-link').textContent = `Invite link for ${invite.name}: ${new URL(invite.path, document.location.href).href}`;
    byId('invite-name').value = '';
    await refresh();
  } catch (error) {
    say(error.message, true);
  }
});

byId('train').addEventListener('click', async () => {
  try {
    const run = await api('POST', '/admin/api/train');
    byId('train-status').textContent = `Started: ${run.command}`;
  } catch (error) {
    byId('train-status').textContent = error.message;
  }
});

signOutButton('/admin/logout', '/admin');
refresh().catch((error) => say(error.message, true));
