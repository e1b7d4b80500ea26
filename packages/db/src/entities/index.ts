export { AccountDeletion } from './AccountDeletion.js';
export { SocialAccount } from './SocialAccount.js';
export { EMAIL_MATCHES_SQL, User } from './User.js';
export { EXPORT_STATUSES, type ExportStatus, UserExport } from './UserExport.js';
export { UserProfile } from './UserProfile.js';
export { TOKEN_PURPOSES, type TokenPurpose, VerificationToken } from './VerificationToken.js';
