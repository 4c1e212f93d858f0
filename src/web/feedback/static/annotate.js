/* global document, crypto, performance */
// The annotator's page (Bai et al. 2022 §2.2): choose a task, write a message, watch replies A and B stream in,
// choose on the strength scale, and the conversation goes on with the chosen reply.
import { api, byId, postEvents, say, signOutButton } from './client.js';

const state = { me: null, conversation: null, shownAt: 0, key: null, busy: false };

function show(element, visible) {
  element.hidden = !visible;
}

function renderTranscript(turns) {
  const list = byId('transcript');
  list.replaceChildren(
    ...turns.map((turn) => {
      const item = document.createElement('li');
      item.className = turn.role;
      const who = document.createElement('span');
      who.className = 'speaker';
      who.textContent = turn.role === 'human' ? 'You' : 'Assistant';
      const text = document.createElement('p');
      text.textContent = turn.text;
      item.append(who, text);
      return item;
    }),
  );
}

function renderConversation(conversation) {
  state.conversation = conversation;
  const task = state.me.tasks[conversation.task];
  byId('chat-title').textContent = task.title;
  byId('instruction').textContent = task.instruction;
  byId('question').textContent = task.question;
  const turns = conversation.pending === null ? conversation.turns : [...conversation.turns, { role: 'human', text: conversation.pending }];
  renderTranscript(turns);
  const ended = conversation.endedAt !== null;
  show(byId('tasks'), false);
  show(byId('chat'), true);
  show(byId('composer'), conversation.pending === null && !ended);
  show(byId('candidates'), conversation.pending !== null);
  show(byId('pick-form'), false);
  byId('end').disabled = ended;
  if (ended) say('This conversation has ended. Start a new one when you are ready.');
}

function buildScale() {
  const scale = byId('scale');
  scale.replaceChildren(
    ...state.me.scale.map((point) => {
      const label = document.createElement('label');
      const input = document.createElement('input');
      input.type = 'radio';
      input.name = 'scale';
      input.value = String(point.value);
      input.required = true;
      const text = document.createElement('span');
      text.textContent = `${point.value} · ${point.label}`;
      label.append(input, text);
      return label;
    }),
  );
}

async function streamReplies() {
  const conversation = state.conversation;
  byId('reply-a').textContent = '';
  byId('reply-b').textContent = '';
  show(byId('candidates'), true);
  show(byId('pick-form'), false);
  show(byId('retry'), false);
  say('The assistant is writing two replies…');
  let failed = null;
  await postEvents(`/api/conversations/${conversation.id}/candidates`, (event) => {
    if (event.type === 'delta') byId(`reply-${event.slot}`).textContent += event.text;
    else if (event.type === 'error') failed = event.message;
    else if (event.type === 'ready') failed = false;
  }).catch((error) => (failed = error.message));
  if (failed !== false) {
    say(failed ?? 'The replies stopped before they were finished.', true);
    show(byId('pick-form'), true);
    show(byId('retry'), true);
    byId('submit-pick').disabled = true;
    return;
  }
  for (const input of document.querySelectorAll('input[name="scale"]')) input.checked = false;
  byId('submit-pick').disabled = false;
  show(byId('pick-form'), true);
  state.shownAt = performance.now();
  state.key = crypto.randomUUID();
  say('Choose on the scale: keys 1–6, then Enter.');
  document.querySelector('input[name="scale"]').focus();
}

async function startConversation(task) {
  renderConversation(await api('POST', '/api/conversations', { task }));
  say('');
  byId('message').focus();
}

async function send(event) {
  event.preventDefault();
  const text = byId('message').value;
  if (text.trim() === '' || state.busy) return;
  state.busy = true;
  try {
    renderConversation(await api('POST', `/api/conversations/${state.conversation.id}/messages`, { text }));
    byId('message').value = '';
    await streamReplies();
  } catch (error) {
    say(error.message, true);
  } finally {
    state.busy = false;
  }
}

async function pick(event) {
  event.preventDefault();
  const chosen = document.querySelector('input[name="scale"]:checked');
  if (chosen === null || state.busy) return say('Choose a point on the scale first (keys 1–6).', true);
  state.busy = true;
  byId('submit-pick').disabled = true;
  try {
    // The same idempotency key on every retry: a double click or a lost answer stores one comparison.
    const body = { turn: state.conversation.turn, scale: Number(chosen.value), idempotencyKey: state.key, latencyMs: Math.round(performance.now() - state.shownAt) };
    const result = await api('POST', `/api/conversations/${state.conversation.id}/picks`, body, 3);
    renderConversation(result.conversation);
    say('Saved. Write your next message, or end the conversation.');
    byId('message').focus();
  } catch (error) {
    byId('submit-pick').disabled = false;
    say(`Not saved: ${error.message}`, true);
  } finally {
    state.busy = false;
  }
}

function onKey(event) {
  const inComposer = event.target === byId('message');
  if (inComposer && event.key === 'Enter' && !event.shiftKey) {
    event.preventDefault();
    byId('composer').requestSubmit();
    return;
  }
  if (inComposer || byId('pick-form').hidden || byId('submit-pick').disabled) return;
  if (/^[1-6]$/.test(event.key)) {
    const input = document.querySelector(`input[name="scale"][value="${event.key}"]`);
    input.checked = true;
    input.focus();
    event.preventDefault();
  }
}

async function main() {
  state.me = await api('GET', '/api/me');
  byId('who').textContent = `Signed in as ${state.me.name}`;
  for (const task of Object.keys(state.me.tasks)) byId(`task-${task}-text`).textContent = state.me.tasks[task].instruction;
  buildScale();
  // the task buttons are served disabled and enabled only once they work: a click before the script had attached its
  // handler used to be lost (the page stayed on the task list)
  for (const button of document.querySelectorAll('button.task')) {
    button.addEventListener('click', () => startConversation(button.dataset.task).catch((error) => say(error.message, true)));
    button.disabled = false;
  }
  byId('composer').addEventListener('submit', send);
  byId('pick-form').addEventListener('submit', pick);
  byId('retry').addEventListener('click', () => streamReplies());
  byId('end').addEventListener('click', async () => renderConversation(await api('POST', `/api/conversations/${state.conversation.id}/end`)));
  byId('new').addEventListener('click', () => {
    show(byId('chat'), false);
    show(byId('tasks'), true);
    say('');
    document.querySelector('button.task').focus();
  });
  document.addEventListener('keydown', onKey);
  signOutButton('/logout', '/');
  // Resume the latest open conversation (after a reload or a server restart).
  const { conversations } = await api('GET', '/api/conversations');
  const open = conversations.find((conversation) => conversation.endedAt === null);
  if (open !== undefined) {
    renderConversation(open);
    if (open.pending !== null) await streamReplies();
  } else document.querySelector('button.task').focus();
}

main().catch((error) => say(error.message, true));
