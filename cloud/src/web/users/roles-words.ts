/** The words of the roles screen in English and French, the permissions' texts among them. */
import { PERMISSION_TEXTS, type Permission, type PredefinedRoleId } from '../../domain/model.ts';
import type { PageLanguage } from '../../http/pages/i18n.ts';

export type RoleDone = 'created' | 'saved' | 'deleted';

export interface RolesWords {
  title: string;
  caption: string;
  name: string;
  kind: string;
  permissions: string;
  predefined: string;
  own: string;
  add: string;
  newTitle: string;
  roleTitle: (name: string) => string;
  readOnly: string;
  permissionsLegend: string;
  permissionsHint: string;
  create: string;
  deleteSummary: string;
  deleteText: string;
  deleteSubmit: string;
  done: Record<RoleDone, string>;
  /** The predefined roles' names (the API names them in English). */
  predefinedNames: Record<PredefinedRoleId, string>;
  permissionTexts: Record<Permission, string>;
}

const EN: RolesWords = {
  title: 'Roles',
  caption: 'The predefined roles and your enterprise’s own',
  name: 'Name',
  kind: 'Kind',
  permissions: 'Permissions',
  predefined: 'Predefined (read-only)',
  own: 'Your enterprise’s',
  add: 'Add a role',
  newTitle: 'New role',
  roleTitle: (n) => `Role ${n}`,
  readOnly: 'A predefined role cannot be changed or deleted. Make a role of your own to grant other permissions.',
  permissionsLegend: 'Permissions',
  permissionsHint: 'You may grant only the permissions you hold yourself.',
  create: 'Add the role',
  deleteSummary: 'Delete this role…',
  deleteText: 'Only a role nobody holds can be deleted. This cannot be undone.',
  deleteSubmit: 'Delete the role',
  done: { created: 'The role was added.', saved: 'The changes were saved.', deleted: 'The role was deleted.' },
  predefinedNames: { admin: 'Administrator', operator: 'Operator', carrier: 'Carrier', recipient: 'Recipient' },
  permissionTexts: PERMISSION_TEXTS,
};

const FR: RolesWords = {
  title: 'Rôles',
  caption: 'Les rôles prédéfinis et ceux de votre entreprise',
  name: 'Nom',
  kind: 'Type',
  permissions: 'Permissions',
  predefined: 'Prédéfini (lecture seule)',
  own: 'De votre entreprise',
  add: 'Ajouter un rôle',
  newTitle: 'Nouveau rôle',
  roleTitle: (n) => `Rôle ${n}`,
  readOnly: 'Un rôle prédéfini ne peut être ni modifié ni supprimé. Créez votre propre rôle pour accorder d’autres permissions.',
  permissionsLegend: 'Permissions',
  permissionsHint: 'Vous ne pouvez accorder que les permissions que vous détenez vous-même.',
  create: 'Ajouter le rôle',
  deleteSummary: 'Supprimer ce rôle…',
  deleteText: 'Seul un rôle que personne ne détient peut être supprimé. Cette action est définitive.',
  deleteSubmit: 'Supprimer le rôle',
  done: { created: 'Le rôle a été ajouté.', saved: 'Les modifications ont été enregistrées.', deleted: 'Le rôle a été supprimé.' },
  predefinedNames: { admin: 'Administrateur', operator: 'Opérateur', carrier: 'Transporteur', recipient: 'Destinataire' },
  permissionTexts: {
    'lockers.view': 'Voir les banques et les casiers, et lesquels sont libres',
    'lockers.contents': 'Voir ce que contient chaque casier et pour qui',
    'lockers.manage': 'Créer, modifier et supprimer divisions, sites, banques, colonnes et casiers',
    'lockers.service': 'Mettre des casiers en service ou hors service',
    'lockers.open': 'Ouvrir une porte de casier à distance',
    'reservations.manage': 'Réserver des casiers pour quiconque, déposer, terminer des réservations, émettre des codes de retrait, voir toutes les réservations',
    'reservations.deliver': 'Livrer dans les réservations de son transporteur',
    'reservations.own': 'Voir et retirer ses propres colis, commencer un stockage à la journée',
    addressBook: 'Voir et modifier les contacts et les services',
    'addressBook.erase': 'Effacer les données personnelles d’un contact',
    users: 'Voir et modifier les utilisateurs',
    roles: 'Voir et modifier les rôles',
    reports: 'Voir et exporter le journal d’activité',
    settings: 'Modifier la politique des banques et les paramètres de l’entreprise',
    carriers: 'Créer, modifier et supprimer des transporteurs',
    carrierCodes: 'Émettre et révoquer les codes d’accès des transporteurs',
    staffCredentials: 'Émettre et révoquer les identifiants de borne du personnel',
    sso: 'Configurer l’authentification unique de l’entreprise (son fournisseur d’identité connecte n’importe lequel de ses utilisateurs)',
  },
};

export const ROLES_WORDS: Record<PageLanguage, RolesWords> = { en: EN, fr: FR };
