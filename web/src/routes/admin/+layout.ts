// The admin portal runs in the browser only: its data comes from the API with an in-memory token.
export const ssr = false;
