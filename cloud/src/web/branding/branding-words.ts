/** The branding screen's words, English and French. */
import type { PageLanguage } from '../../http/pages/i18n.ts';

export type BrandingDone = 'saved' | 'removed' | 'bank-saved' | 'bank-removed';
export type ColourKey = 'primary' | 'onPrimary' | 'background' | 'text';

export interface BrandingWords {
  intro: string;
  enterprise: string;
  banks: string;
  bankTitle: (bank: string) => string;
  bankIntro: string;
  back: string;
  logo: string;
  logoNone: string;
  logoCurrent: string;
  logoFromEnterprise: string;
  logoFile: string;
  logoHint: (kb: number) => string;
  logoRemove: string;
  colours: string;
  useColours: string;
  useColoursHint: string;
  buttonsPair: string;
  pagePair: string;
  colour: Record<ColourKey, string>;
  picker: (label: string) => string;
  hexHint: string;
  contrast: (ratio: string, ok: boolean) => string;
  preview: string;
  previewAlt: (pairs: string) => string;
  previewButton: string;
  previewText: string;
  submit: string;
  removeSummary: string;
  removeText: string;
  removeSubmit: string;
  bankRemoveSummary: string;
  bankRemoveText: string;
  bankRemoveSubmit: string;
  banksCaption: string;
  bankCol: string;
  lookCol: string;
  own: string;
  inherited: string;
  edit: (bank: string) => string;
  noBanks: string;
  done: Record<BrandingDone, string>;
  noEnterprise: string;
}

export const BRANDING_WORDS: Record<PageLanguage, BrandingWords> = {
  en: {
    intro: 'The logo and colours of the kiosk screens and of the e-mails. A bank may have its own; otherwise it shows the enterprise’s.',
    enterprise: 'Enterprise branding',
    banks: 'Banks',
    bankTitle: (bank) => `Branding of ${bank}`,
    bankIntro: 'This bank’s own logo or colours, shown on its kiosk and in e-mails about its parcels instead of the enterprise’s.',
    back: 'All branding',
    logo: 'Logo',
    logoNone: 'No logo: the kiosk and e-mails show the built-in look.',
    logoCurrent: 'Current logo',
    logoFromEnterprise: 'No logo of its own: the enterprise’s is shown.',
    logoFile: 'New logo file',
    logoHint: (kb) => `A PNG or SVG file of at most ${kb} kB. An SVG may hold drawing only: no script, no link to another file.`,
    logoRemove: 'Remove the logo',
    colours: 'Colours',
    useColours: 'Use these colours',
    useColoursHint: 'Left unticked, the built-in colours are used.',
    buttonsPair: 'Buttons and headings',
    pagePair: 'Page',
    colour: { primary: 'Button colour', onPrimary: 'Text on buttons', background: 'Background colour', text: 'Text colour' },
    picker: (label) => `${label}, colour picker`,
    hexHint: 'As #rrggbb. Text must contrast with its background by at least 4.5 to 1.',
    contrast: (ratio, ok) => `Contrast ${ratio}${ok ? ': enough' : ': not enough, at least 4.5:1 is needed'}`,
    preview: 'Preview of the saved colours',
    previewAlt: (pairs) => `Preview: ${pairs}`,
    previewButton: 'Button',
    previewText: 'Text on the page',
    submit: 'Save branding',
    removeSummary: 'Remove the enterprise branding',
    removeText: 'The kiosks and e-mails go back to the built-in look. Banks with their own branding keep it.',
    removeSubmit: 'Remove the branding',
    bankRemoveSummary: 'Remove this bank’s own branding',
    bankRemoveText: 'The bank shows the enterprise’s branding again.',
    bankRemoveSubmit: 'Remove its own branding',
    banksCaption: 'Each bank and the branding it shows',
    bankCol: 'Bank',
    lookCol: 'Branding',
    own: 'Its own',
    inherited: 'The enterprise’s',
    edit: (bank) => `Branding of ${bank}`,
    noBanks: 'The enterprise has no banks yet.',
    done: { saved: 'The branding was saved.', removed: 'The branding was removed.', 'bank-saved': 'The bank’s branding was saved.', 'bank-removed': 'The bank’s own branding was removed.' },
    noEnterprise: 'Branding is set for the whole enterprise: your access covers only part of it.',
  },
  fr: {
    intro: 'Le logo et les couleurs des écrans des bornes et des e-mails. Un bloc peut avoir les siens ; sinon, il affiche ceux de l’entreprise.',
    enterprise: 'Image de marque de l’entreprise',
    banks: 'Blocs',
    bankTitle: (bank) => `Image de marque de ${bank}`,
    bankIntro: 'Le logo ou les couleurs propres à ce bloc, affichés sur sa borne et dans les e-mails sur ses colis à la place de ceux de l’entreprise.',
    back: 'Toute l’image de marque',
    logo: 'Logo',
    logoNone: 'Pas de logo : la borne et les e-mails gardent l’apparence par défaut.',
    logoCurrent: 'Logo actuel',
    logoFromEnterprise: 'Pas de logo propre : celui de l’entreprise est affiché.',
    logoFile: 'Nouveau fichier de logo',
    logoHint: (kb) => `Un fichier PNG ou SVG de ${kb} ko au plus. Un SVG ne peut contenir que du dessin : ni script, ni lien vers un autre fichier.`,
    logoRemove: 'Retirer le logo',
    colours: 'Couleurs',
    useColours: 'Utiliser ces couleurs',
    useColoursHint: 'Case non cochée, les couleurs par défaut sont utilisées.',
    buttonsPair: 'Boutons et titres',
    pagePair: 'Page',
    colour: { primary: 'Couleur des boutons', onPrimary: 'Texte des boutons', background: 'Couleur de fond', text: 'Couleur du texte' },
    picker: (label) => `${label}, sélecteur de couleur`,
    hexHint: 'Au format #rrggbb. Le texte doit contraster avec son fond d’au moins 4,5 pour 1.',
    contrast: (ratio, ok) => `Contraste ${ratio}${ok ? ' : suffisant' : ' : insuffisant, il faut au moins 4,5:1'}`,
    preview: 'Aperçu des couleurs enregistrées',
    previewAlt: (pairs) => `Aperçu : ${pairs}`,
    previewButton: 'Bouton',
    previewText: 'Texte de la page',
    submit: 'Enregistrer l’image de marque',
    removeSummary: 'Retirer l’image de marque de l’entreprise',
    removeText: 'Les bornes et les e-mails reprennent l’apparence par défaut. Les blocs qui ont la leur la gardent.',
    removeSubmit: 'Retirer l’image de marque',
    bankRemoveSummary: 'Retirer l’image de marque propre à ce bloc',
    bankRemoveText: 'Le bloc affiche de nouveau l’image de marque de l’entreprise.',
    bankRemoveSubmit: 'Retirer son image de marque',
    banksCaption: 'Chaque bloc et l’image de marque qu’il affiche',
    bankCol: 'Bloc',
    lookCol: 'Image de marque',
    own: 'La sienne',
    inherited: 'Celle de l’entreprise',
    edit: (bank) => `Image de marque de ${bank}`,
    noBanks: 'L’entreprise n’a pas encore de bloc.',
    done: { saved: 'L’image de marque a été enregistrée.', removed: 'L’image de marque a été retirée.', 'bank-saved': 'L’image de marque du bloc a été enregistrée.', 'bank-removed': 'L’image de marque propre au bloc a été retirée.' },
    noEnterprise: 'L’image de marque vaut pour toute l’entreprise : votre accès n’en couvre qu’une partie.',
  },
};
