import type { RenderedEmail } from '../types.ts';
import { absolute, button, esc, frame, paragraphs, type Brand } from './layout.ts';

/**
 * Account emails: welcome (sign-up), staff invitation, password reset. None carries a secret: the
 * temporary password is shown once to whoever created it and never stored (ARCHITECTURE.md), so the
 * email says where to sign in and that the password comes from that person. Pure.
 */
export interface WelcomeData {
  businessName: string;
  ownerName: string;
  plan: string;
  signInUrl: string;
}

export function welcomeEmail(d: WelcomeData, brand: Brand): RenderedEmail {
  const url = absolute(brand, d.signInUrl);
  const text = `Hello ${d.ownerName},

${d.businessName} is set up on the ${d.plan} plan. Sign in to finish setting up your stores, products, staff and registers:
${url}

Use the temporary password shown when you signed up; you will choose your own at first sign-in.`;
  const html = `${paragraphs(`Hello ${d.ownerName},\n\n${d.businessName} is set up on the ${d.plan} plan. Sign in to finish setting up your stores, products, staff and registers.`)}
${button(url, 'Sign in and finish setup')}
${paragraphs('Use the temporary password shown when you signed up; you will choose your own at first sign-in.')}`;
  return { subject: `Welcome to ${brand.name}: ${d.businessName} is ready`, ...frame({ brand, title: 'Welcome', html, text }), attachments: [] };
}

export interface StaffInviteData {
  name: string;
  role: string;
  invitedBy: string;
  signInUrl: string;
}

const ROLE_NAMES: Record<string, string> = { owner: 'owner', admin: 'admin', manager: 'manager', cashier: 'cashier', stock_clerk: 'stock clerk' };

export function staffInviteEmail(d: StaffInviteData, brand: Brand): RenderedEmail {
  const url = absolute(brand, d.signInUrl);
  const who = d.invitedBy ? `${d.invitedBy} added you` : 'You were added';
  const role = ROLE_NAMES[d.role] ?? d.role;
  const body = `Hello ${d.name},\n\n${who} to ${brand.name} as ${role}. Sign in with this email address and the temporary password ${d.invitedBy || 'your administrator'} gave you; you will choose your own at first sign-in.`;
  const html = `${paragraphs(body)}\n${button(url, 'Sign in')}`;
  return { subject: `You have been added to ${brand.name}`, ...frame({ brand, title: 'Staff invitation', html, text: `${body}\n\n${url}` }), attachments: [] };
}

export interface PasswordResetData {
  name: string;
  signInUrl: string;
}

export function passwordResetEmail(d: PasswordResetData, brand: Brand): RenderedEmail {
  const url = absolute(brand, d.signInUrl);
  const body = `Hello ${d.name},\n\nYour password for ${brand.name} was reset by an administrator, and you were signed out everywhere. Sign in with the temporary password they gave you and choose a new one.\n\nIf you did not expect this, tell your administrator.`;
  return {
    subject: `Your ${brand.name} password was reset`,
    ...frame({ brand, title: 'Password reset', html: `${paragraphs(body)}\n${button(url, 'Sign in')}`, text: `${body}\n\n${url}` }),
    attachments: []
  };
}

export { esc };
