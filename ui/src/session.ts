import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Session } from './api';

/** The signed-in caller, for pages that show more to admins. */
export const SessionContext = createContext<Session | null>(null);

/** Whether the caller sees server-wide views (models, workers). */
export const useAdmin = () => useContext(SessionContext)?.admin ?? false;
