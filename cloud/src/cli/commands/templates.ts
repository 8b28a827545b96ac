/**
 * `portier templates list|set|reset|preview`: your enterprise's own words of its e-mails, per kind and language
 * (permission 'settings', an enterprise-wide access level). A body comes from `--body` or, for several paragraphs,
 * from a file (`--body-file`).
 */
import type { Command } from 'commander';
import { table, type CommandContext } from '../client.ts';
import { CliError } from '../errors.ts';
import { textFile } from './common.ts';

interface Words {
  subject: string;
  body: string;
}
interface LanguageRow {
  builtIn: Words;
  own?: Words & { updatedAt: number };
}
interface KindRow {
  kind: string;
  placeholders: string[];
  languages: Record<'en' | 'fr', LanguageRow>;
}

const path = (kind: string, language: string) => `/notification-templates/${encodeURIComponent(kind)}/${encodeURIComponent(language)}`;

/** The words given on the command line: `--subject`, and `--body` or `--body-file` (not both). */
async function wordsOf(o: { subject?: string; body?: string; bodyFile?: string }): Promise<Partial<Words>> {
  if (o.body !== undefined && o.bodyFile !== undefined) throw new CliError('USAGE', 'give --body or --body-file, not both');
  const body = o.bodyFile !== undefined ? await textFile(o.bodyFile, false) : o.body;
  return { ...(o.subject !== undefined ? { subject: o.subject } : {}), ...(body !== undefined ? { body } : {}) };
}

function withWords(cmd: Command): Command {
  return cmd
    .argument('<kind>', 'kind of e-mail (as `templates list` shows them)')
    .argument('<language>', 'en or fr')
    .option('--subject <text>', 'one-line subject, placeholders written {{name}}')
    .option('--body <text>', 'plain-text body, paragraphs parted by blank lines')
    .option('--body-file <path>', 'the body from a UTF-8 file');
}

export function registerTemplateCommands(program: Command, ctx: CommandContext): void {
  const group = program.command('templates').description("your enterprise's own words of its e-mails, per kind and language (permission 'settings')");

  group
    .command('list')
    .description('every kind of e-mail per language: whose words it says (own or built-in), its subject, its placeholders')
    .action(async () => {
      const r = await (await ctx.client()).json<{ templates: KindRow[] }>('GET', '/notification-templates');
      ctx.print(r, () =>
        table(
          r.templates.flatMap((k) =>
            (['en', 'fr'] as const).map((lang) => {
              const l = k.languages[lang];
              return { kind: k.kind, language: lang, words: l.own ? 'own' : 'built-in', subject: (l.own ?? l.builtIn).subject, placeholders: k.placeholders.join(',') };
            }),
          ),
          ['kind', 'language', 'words', 'subject', 'placeholders'],
        ),
      );
    });

  withWords(group.command('set').description('word an e-mail your own way (its next messages say it)')).action(async (kind: string, language: string, o: { subject?: string; body?: string; bodyFile?: string }) => {
    const words = await wordsOf(o);
    if (words.subject === undefined || words.body === undefined) throw new CliError('USAGE', 'set needs --subject and --body or --body-file');
    const r = await (await ctx.client()).json<{ template: LanguageRow }>('PUT', path(kind, language), words);
    ctx.print(r, () => `${kind} e-mail in ${language} now says your words\n`);
  });

  group
    .command('reset')
    .description('back to the built-in words')
    .argument('<kind>', 'kind of e-mail')
    .argument('<language>', 'en or fr')
    .action(async (kind: string, language: string) => {
      const r = await (await ctx.client()).json<{ template: LanguageRow }>('DELETE', path(kind, language));
      ctx.print(r, () => `${kind} e-mail in ${language} back to the built-in words\n`);
    });

  withWords(group.command('preview').description('the e-mail with made-up content: in the words given (not saved), else in its current words')).action(
    async (kind: string, language: string, o: { subject?: string; body?: string; bodyFile?: string }) => {
      const r = await (await ctx.client()).json<{ subject: string; text: string; html: string }>('POST', `${path(kind, language)}/preview`, await wordsOf(o));
      ctx.print(r, () => `Subject: ${r.subject}\n\n${r.text}`);
    },
  );
}
