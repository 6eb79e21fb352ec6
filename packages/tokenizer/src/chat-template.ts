import { CapabilityError, InvalidArgumentError, ModelFormatError } from '@decodekit/core';
import { Template } from '@huggingface/jinja';
import type { ChatMessage, ChatTemplateOptions } from './types.js';

/** Chat templates of a tokenizer: `tokenizer_config.json`'s `chat_template` (a string or a named list). */
export interface ChatTemplates {
  readonly templates: ReadonlyMap<string, string>;
  /** Special token strings the templates may use (`bos_token`, `eos_token`, ...). */
  readonly variables: Readonly<Record<string, unknown>>;
  /** Where the templates came from, for error messages. */
  readonly source: string;
}

/** Reads `chat_template` in either of its Hugging Face forms. */
export function parseChatTemplates(value: unknown, source: string): Map<string, string> {
  const templates = new Map<string, string>();
  if (value === undefined || value === null) return templates;
  if (typeof value === 'string') {
    templates.set('default', value);
    return templates;
  }
  if (Array.isArray(value)) {
    for (const entry of value) {
      const { name, template } = (entry ?? {}) as { name?: unknown; template?: unknown };
      if (typeof name !== 'string' || typeof template !== 'string') {
        throw new ModelFormatError(
          `${source}: chat_template entries must be { "name": string, "template": string }; fix or re-export the tokenizer config.`,
        );
      }
      templates.set(name, template);
    }
    return templates;
  }
  throw new ModelFormatError(`${source}: chat_template must be a string or a list of named templates.`);
}

/** Renders `messages` with the chosen template. */
export function renderChatTemplate(
  chat: ChatTemplates,
  compiled: Map<string, Template>,
  messages: readonly ChatMessage[],
  options: ChatTemplateOptions = {},
): string {
  const name = options.templateName ?? 'default';
  const source = chat.templates.get(name);
  if (source === undefined) {
    if (chat.templates.size === 0) {
      throw new CapabilityError(
        'chatTemplate',
        `${chat.source} has no chat_template, so this tokenizer cannot format chat messages; pass a plain text prompt instead, or add a "chat_template" (Jinja) to tokenizer_config.json.`,
      );
    }
    throw new InvalidArgumentError(
      'templateName',
      `no chat template named "${name}" in ${chat.source}; it has: ${[...chat.templates.keys()].join(', ')}`,
    );
  }
  if (!Array.isArray(messages)) throw new InvalidArgumentError('messages', 'must be an array of { role, content }');
  for (const [index, message] of messages.entries()) {
    if (typeof message?.role !== 'string' || typeof message?.content !== 'string') {
      throw new InvalidArgumentError('messages', `message ${index} needs a string role and a string content`);
    }
  }
  let template = compiled.get(name);
  if (!template) {
    try {
      template = new Template(source);
    } catch (error) {
      throw new ModelFormatError(
        `${chat.source}: chat template "${name}" does not parse: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    compiled.set(name, template);
  }
  try {
    return template.render({
      ...chat.variables,
      ...options.variables,
      messages,
      add_generation_prompt: options.addGenerationPrompt ?? true,
    });
  } catch (error) {
    // Templates call raise_exception() for conversations they reject (e.g. roles out of order).
    throw new InvalidArgumentError('messages', `the chat template rejected them: ${(error as Error).message}`);
  }
}
