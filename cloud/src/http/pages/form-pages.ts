/**
 * What each plugin of the cloud's plain pages sets up alike: form posts only (the API's JSON parser does not apply to
 * pages), the fields of a post, the language of a request (`?lang=`, a form's hidden `lang`, else Accept-Language),
 * and a failure answered as a page in that language (the API's error body is JSON).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import { mapError } from '../errors.ts';
import { pickLanguage, WORDS, type PageLanguage } from './i18n.ts';
import { paragraph, sendPage } from './layout.ts';

/** A form body: fields of text only (a repeated field keeps its last value). */
const FormBody = z.record(z.string(), z.string().max(4096));
const LangQuery = z.looseObject({ lang: z.string().max(10).optional() });
/** Form posts are small: a token, a password twice, a code, the anti-forgery field. */
const FORM_LIMIT_BYTES = 16 * 1024;

export interface PageRequests {
  /** The fields of a form post (none when the body is not one). */
  formOf(req: FastifyRequest): Record<string, string>;
  /** The language to answer in: the form's `lang`, else the query's, else Accept-Language. */
  language(req: FastifyRequest, form?: Record<string, string>): PageLanguage;
}

/** Sets up `app` (a plugin's own instance) for pages. */
export function formPages(app: FastifyInstance, logger: Logger): PageRequests {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_LIMIT_BYTES }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
  const language = (req: FastifyRequest, form?: Record<string, string>): PageLanguage => {
    const q = LangQuery.safeParse(req.query);
    return pickLanguage(form?.['lang'] ?? (q.success ? q.data.lang : undefined), req.headers['accept-language']);
  };
  app.setErrorHandler((err, req, reply) => {
    const m = mapError(err, logger, req);
    const lang = language(req);
    const w = WORDS[lang];
    return sendPage(reply, m.status, { lang, title: w.errorTitle, body: paragraph(m.status >= 500 ? w.failed : w.refused, 'notice') });
  });
  return {
    formOf: (req) => {
      const r = FormBody.safeParse(req.body);
      return r.success ? r.data : {};
    },
    language,
  };
}
