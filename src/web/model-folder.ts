/**
 * The chat model a command-line folder names: a checkpoint folder or a run folder (its `model/` or latest
 * `checkpoints/<step>/`), as `hhrl lm sample` takes it — what `hhrl serve --model` and `hhrl feedback serve --policy`
 * load. The model is named after the folder given (`runs/demo/ppo` → `ppo`).
 */
import { basename } from 'node:path';
import { loadGptChatModel } from '../redteam/targets/gpt-chat-model.ts';
import type { ChatModel } from '../spec/chat-target.ts';
import { CheckpointError } from '../spec/errors.ts';
import { resolveModelDir } from '../train/run-folder.ts';

/**
 * Load the model in `path` for the command-line flag `flag`.
 * @throws CheckpointError naming the flag, the folder and what was expected, when `path` holds no readable model.
 * @example loadChatModelFolder('runs/demo/ppo', '--policy').id // 'ppo'
 */
export function loadChatModelFolder(path: string, flag: string): ChatModel {
  try {
    return loadGptChatModel(resolveModelDir(path), basename(path.replace(/\/+$/, '')));
  } catch (error) {
    if (!(error instanceof CheckpointError)) throw error;
    const detail = error.message.startsWith(`${path}: `) ? error.message.slice(path.length + 2) : error.message;
    throw new CheckpointError(
      `${flag} ${path}: ${detail}. Expected a checkpoint folder (config.json + model.safetensors, as hhrl ` +
        'training writes them) or a run folder holding model/ or checkpoints/<step>/',
      { cause: error },
    );
  }
}
