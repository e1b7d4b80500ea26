export { SocialAccount } from './SocialAccount.js';
export { User } from './User.js';
export { UserProfile } from './UserProfile.js';
export { TOKEN_PURPOSES, type TokenPurpose, VerificationToken } from './VerificationToken.js';
