export { SocialAccount } from './SocialAccount.js';
export { EMAIL_MATCHES_SQL, User } from './User.js';
export { UserProfile } from './UserProfile.js';
export { TOKEN_PURPOSES, type TokenPurpose, VerificationToken } from './VerificationToken.js';
