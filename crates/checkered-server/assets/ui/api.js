// The one path every request of the UI takes: adds the bearer token when one is stored,
// and turns problem+json answers into errors that carry the server's `detail`.

const TOKEN = "checkered.access_token";

/** An HTTP error with the problem document the server sent. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem && problem.detail ? problem.detail : `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }
}

export const token = () => localStorage.getItem(TOKEN);
export const setToken = t => (t ? localStorage.setItem(TOKEN, t) : localStorage.removeItem(TOKEN));

/**
 * fetch() for the API. `opts.json` is sent as a JSON body; `opts.body`/`opts.type` as is.
 * Resolves to the parsed JSON (or text), rejects with ApiError.
 */
export async function api(path, opts = {}) {
  const headers = new Headers(opts.headers || {});
  const t = token();
  if (t) headers.set("Authorization", `Bearer ${t}`);
  let body = opts.body;
  if (opts.json !== undefined) { body = JSON.stringify(opts.json); headers.set("Content-Type", "application/json"); }
  else if (opts.type) headers.set("Content-Type", opts.type);
  let response;
  try {
    response = await fetch(path, { method: opts.method || (body ? "POST" : "GET"), headers, body, signal: opts.signal });
  } catch (e) {
    throw new ApiError(0, { detail: `the server cannot be reached (${e.message})` });
  }
  const type = response.headers.get("content-type") || "";
  const data = type.includes("json") ? await response.json().catch(() => null) : await response.text();
  if (!response.ok) throw new ApiError(response.status, typeof data === "object" ? data : { detail: String(data || response.statusText) });
  return data;
}

/** Logs in (POST /api/v1/auth/login) and stores the access token. */
export async function login(email, password) {
  const answer = await api("/api/v1/auth/login", { json: { email, password } });
  setToken(answer.access_token);
  return answer;
}

export const track = id => `/api/v1/tracks/${encodeURIComponent(id)}`;
