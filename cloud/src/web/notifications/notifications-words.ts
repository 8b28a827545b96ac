/** The words of the notifications screen (e-mail templates and who is told of what) in English and French. */
import type { PageLanguage } from '../../http/pages/i18n.ts';
import type { MailKind, MailLanguage } from '../../mail/model.ts';
import type { Audience } from '../../mail/notification-model.ts';
import type { Placeholder } from '../../mail/placeholders.ts';

export type NotificationDone = 'saved' | 'reset' | 'rules-saved';

export interface NotificationsWords {
  templatesHeading: string;
  templatesIntro: string;
  caption: string;
  kind: string;
  languages: Record<MailLanguage, string>;
  own: string;
  builtIn: string;
  edit: string;
  /** The hidden end of an edit link, so each link says which words it opens. */
  editWhat: (kind: string, language: string) => string;
  kinds: Record<MailKind, { name: string; about: string }>;
  rulesHeading: string;
  rulesIntro: string;
  rulesNobody: string;
  audiences: Record<Audience, string>;
  saveRules: string;
  editTitle: (kind: string, language: string) => string;
  usingOwn: string;
  usingBuiltIn: string;
  subject: string;
  subjectHint: string;
  body: string;
  bodyHint: string;
  placeholdersHeading: string;
  placeholdersIntro: string;
  placeholdersCaption: string;
  placeholder: string;
  meaning: string;
  notInSubject: string;
  requiredIn: string;
  placeholders: Record<Placeholder, string>;
  save: string;
  preview: string;
  previewHeading: string;
  previewIntro: string;
  previewSubject: string;
  previewText: string;
  previewHtml: string;
  resetHeading: string;
  resetSummary: string;
  resetText: string;
  resetSubmit: string;
  builtInHeading: string;
  done: Record<NotificationDone, string>;
}

const EN: NotificationsWords = {
  templatesHeading: 'E-mail templates',
  templatesIntro: 'Each kind of e-mail has built-in words in English and in French. Word any of them your own way; the built-in words stay for the others.',
  caption: 'Kinds of e-mail and the words they use in each language',
  kind: 'Kind of e-mail',
  languages: { en: 'English', fr: 'French' },
  own: 'Your own words',
  builtIn: 'Built-in words',
  edit: 'Edit',
  editWhat: (k, l) => ` the ${l} words of “${k}”`,
  kinds: {
    'parcel-ready': { name: 'Parcel ready', about: 'A parcel is in a locker for the recipient, with the pickup code.' },
    reminder: { name: 'Reminder', about: 'A parcel is still waiting.' },
    'expiring-soon': { name: 'Expiring soon', about: 'A parcel’s reservation ends soon.' },
    expired: { name: 'Expired', about: 'A parcel was not collected in time.' },
    'picked-up': { name: 'Picked up', about: 'A parcel was collected.' },
    'drop-off-code': { name: 'Drop-off code', about: 'The code to put something into a locker (a return).' },
    storage: { name: 'Day-use storage', about: 'The PIN of a locker used for storage.' },
    welcome: { name: 'Welcome', about: 'A new user’s link to set their password.' },
    'password-reset': { name: 'Password reset', about: 'A link to choose a new password.' },
    'mfa-code': { name: 'Sign-in code', about: 'The code of a two-step sign-in.' },
    'import-failed': { name: 'Import failed', about: 'A scheduled import of contacts failed.' },
  },
  rulesHeading: 'Who is told of each event',
  rulesIntro: 'For each event of a parcel, who gets the e-mail. A contact who turned notices off still gets none.',
  rulesNobody: 'Tick none to tell nobody.',
  audiences: { recipient: 'The recipient', keyContact: 'The key contact of the recipient’s department', reservedBy: 'The user who made the reservation' },
  saveRules: 'Save who is told',
  editTitle: (k, l) => `E-mail “${k}” in ${l}`,
  usingOwn: 'These e-mails use your own words.',
  usingBuiltIn: 'These e-mails use the built-in words.',
  subject: 'Subject',
  subjectHint: 'One line. Codes and links cannot be in a subject: mail programs show subjects in lists and on locked screens.',
  body: 'Body',
  bodyHint: 'Plain text; leave a blank line between paragraphs. A paragraph naming a value a message lacks is left out.',
  placeholdersHeading: 'Placeholders',
  placeholdersIntro: 'Write a placeholder as shown, with its double braces; each e-mail puts its own value there.',
  placeholdersCaption: 'The placeholders of this kind of e-mail',
  placeholder: 'Placeholder',
  meaning: 'What it becomes',
  notInSubject: 'Not in the subject.',
  requiredIn: 'The body must hold it.',
  placeholders: {
    recipientName: 'The name of the person the e-mail is for',
    item: 'What is waiting: parcel, return…',
    place: 'Where: the bank, location and locker in one phrase',
    bank: 'The locker bank’s name',
    location: 'The location’s name and address',
    lockerNumber: 'The locker’s number',
    pickupCode: 'The pickup code',
    expiresAt: 'When the code or link stops working',
    trackingIds: 'The tracking numbers of the parcel',
    preferencesLink: 'The link to the contact’s notification preferences (always added)',
    waitingSince: 'Since when the parcel is waiting',
    expiredAt: 'When the reservation ended',
    pickedUpAt: 'When the parcel was collected',
    dropOffCode: 'The drop-off code',
    pin: 'The storage PIN',
    endsAt: 'When the storage ends',
    link: 'The link to set a password',
    code: 'The sign-in code',
    enterprise: 'The enterprise’s name',
    failedAt: 'When the import failed',
    problem: 'What went wrong',
  },
  save: 'Save the words',
  preview: 'Preview',
  previewHeading: 'Preview',
  previewIntro: 'The e-mail with made-up content, in the words above (not saved yet). It is shown as text: the HTML part holds the same paragraphs.',
  previewSubject: 'Subject',
  previewText: 'Text',
  previewHtml: 'HTML source of the e-mail',
  resetHeading: 'Back to the built-in words',
  resetSummary: 'Use the built-in words again…',
  resetText: 'Your words for this e-mail in this language are removed; the next e-mails use the built-in words.',
  resetSubmit: 'Use the built-in words',
  builtInHeading: 'The built-in words',
  done: { saved: 'The words were saved: the next e-mails use them.', reset: 'The e-mails use the built-in words again.', 'rules-saved': 'Who is told was saved.' },
};

const FR: NotificationsWords = {
  templatesHeading: 'Modèles d’e-mails',
  templatesIntro: 'Chaque sorte d’e-mail a un texte intégré en anglais et en français. Rédigez-en autant que vous voulez à votre façon ; le texte intégré reste pour les autres.',
  caption: 'Sortes d’e-mails et texte utilisé dans chaque langue',
  kind: 'Sorte d’e-mail',
  languages: { en: 'Anglais', fr: 'Français' },
  own: 'Votre texte',
  builtIn: 'Texte intégré',
  edit: 'Modifier',
  editWhat: (k, l) => ` le texte en ${l.toLowerCase()} de « ${k} »`,
  kinds: {
    'parcel-ready': { name: 'Colis prêt', about: 'Un colis attend le destinataire dans un casier, avec le code de retrait.' },
    reminder: { name: 'Rappel', about: 'Un colis attend toujours.' },
    'expiring-soon': { name: 'Bientôt expiré', about: 'La réservation d’un colis se termine bientôt.' },
    expired: { name: 'Expiré', about: 'Un colis n’a pas été retiré à temps.' },
    'picked-up': { name: 'Retiré', about: 'Un colis a été retiré.' },
    'drop-off-code': { name: 'Code de dépôt', about: 'Le code pour déposer quelque chose dans un casier (un retour).' },
    storage: { name: 'Consigne à la journée', about: 'Le code PIN d’un casier utilisé en consigne.' },
    welcome: { name: 'Bienvenue', about: 'Le lien d’un nouvel utilisateur pour choisir son mot de passe.' },
    'password-reset': { name: 'Réinitialisation du mot de passe', about: 'Un lien pour choisir un nouveau mot de passe.' },
    'mfa-code': { name: 'Code de connexion', about: 'Le code d’une connexion en deux étapes.' },
    'import-failed': { name: 'Échec d’import', about: 'Un import planifié de contacts a échoué.' },
  },
  rulesHeading: 'Qui est prévenu de chaque événement',
  rulesIntro: 'Pour chaque événement d’un colis, qui reçoit l’e-mail. Un contact qui a désactivé les avis n’en reçoit toujours aucun.',
  rulesNobody: 'Ne cochez rien pour ne prévenir personne.',
  audiences: { recipient: 'Le destinataire', keyContact: 'Le contact principal du service du destinataire', reservedBy: 'L’utilisateur qui a fait la réservation' },
  saveRules: 'Enregistrer qui est prévenu',
  editTitle: (k, l) => `E-mail « ${k} » en ${l.toLowerCase()}`,
  usingOwn: 'Ces e-mails utilisent votre texte.',
  usingBuiltIn: 'Ces e-mails utilisent le texte intégré.',
  subject: 'Objet',
  subjectHint: 'Une ligne. Les codes et les liens ne peuvent pas figurer dans l’objet : les messageries affichent les objets dans les listes et sur les écrans verrouillés.',
  body: 'Corps',
  bodyHint: 'Texte brut ; laissez une ligne vide entre les paragraphes. Un paragraphe qui nomme une valeur absente d’un message est omis.',
  placeholdersHeading: 'Champs de fusion',
  placeholdersIntro: 'Écrivez un champ de fusion tel qu’il est montré, avec ses doubles accolades ; chaque e-mail y met sa propre valeur.',
  placeholdersCaption: 'Les champs de fusion de cette sorte d’e-mail',
  placeholder: 'Champ de fusion',
  meaning: 'Ce qu’il devient',
  notInSubject: 'Pas dans l’objet.',
  requiredIn: 'Le corps doit le contenir.',
  placeholders: {
    recipientName: 'Le nom de la personne à qui l’e-mail est destiné',
    item: 'Ce qui attend : colis, retour…',
    place: 'Où : le bloc, le site et le casier en une phrase',
    bank: 'Le nom du bloc de casiers',
    location: 'Le nom et l’adresse du site',
    lockerNumber: 'Le numéro du casier',
    pickupCode: 'Le code de retrait',
    expiresAt: 'Quand le code ou le lien cesse de fonctionner',
    trackingIds: 'Les numéros de suivi du colis',
    preferencesLink: 'Le lien vers les préférences de notification du contact (toujours ajouté)',
    waitingSince: 'Depuis quand le colis attend',
    expiredAt: 'Quand la réservation a pris fin',
    pickedUpAt: 'Quand le colis a été retiré',
    dropOffCode: 'Le code de dépôt',
    pin: 'Le code PIN de la consigne',
    endsAt: 'Quand la consigne se termine',
    link: 'Le lien pour choisir un mot de passe',
    code: 'Le code de connexion',
    enterprise: 'Le nom de l’entreprise',
    failedAt: 'Quand l’import a échoué',
    problem: 'Ce qui n’a pas fonctionné',
  },
  save: 'Enregistrer le texte',
  preview: 'Aperçu',
  previewHeading: 'Aperçu',
  previewIntro: 'L’e-mail avec un contenu inventé, dans le texte ci-dessus (pas encore enregistré). Il est montré en texte : la partie HTML contient les mêmes paragraphes.',
  previewSubject: 'Objet',
  previewText: 'Texte',
  previewHtml: 'Source HTML de l’e-mail',
  resetHeading: 'Revenir au texte intégré',
  resetSummary: 'Utiliser de nouveau le texte intégré…',
  resetText: 'Votre texte pour cet e-mail dans cette langue est supprimé ; les prochains e-mails utilisent le texte intégré.',
  resetSubmit: 'Utiliser le texte intégré',
  builtInHeading: 'Le texte intégré',
  done: { saved: 'Le texte a été enregistré : les prochains e-mails l’utilisent.', reset: 'Les e-mails utilisent de nouveau le texte intégré.', 'rules-saved': 'Qui est prévenu a été enregistré.' },
};

export const NOTIFICATIONS_WORDS: Record<PageLanguage, NotificationsWords> = { en: EN, fr: FR };
