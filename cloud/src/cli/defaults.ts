/** The cloud's HTTP address when neither a flag, PORTIER_URL nor the token file of `portier login` names one. */
export const DEFAULT_URL = 'http://127.0.0.1:8080';
