// Tiny stand-in for @forge/api for the smoke test: records requestJira calls
// and answers mypermissions / user groups; route is the real implementation's
// semantics (path parameters unescaped but checked, query parameters encoded).
export const calls = [];

class Route {
  constructor(value) {
    this.value = value;
  }
}

export function route(strings, ...params) {
  let query = false;
  let out = '';
  strings.forEach((s, i) => {
    if (/[?#]/.test(s)) query = true;
    out += s;
    if (i < params.length) {
      const p = params[i];
      if (query) out += p instanceof URLSearchParams ? p.toString() : encodeURIComponent(String(p));
      else if (/\/|\?|#|\.\./.test(String(p))) throw new Error('Disallowing path manipulation attempt');
      else out += String(p);
    }
  });
  return new Route(out);
}

export const assumeTrustedRoute = (path) => new Route(path);

function answer(principal, r, init) {
  calls.push({ principal, path: r.value, method: init?.method ?? 'GET', headers: init?.headers, body: init?.body });
  let body = {};
  if (r.value.startsWith('/rest/api/3/mypermissions')) body = { permissions: { ADMINISTER: { key: 'ADMINISTER', havePermission: true } } };
  else if (r.value.startsWith('/rest/api/3/user/groups')) body = [];
  const text = JSON.stringify(body);
  return Promise.resolve({
    status: 200,
    headers: new Headers({ 'content-type': 'application/json' }),
    text: () => Promise.resolve(text),
    json: () => Promise.resolve(JSON.parse(text)),
  });
}

const requester = (principal) => ({
  requestJira(r, init) {
    if (!(r instanceof Route)) throw new Error('requestJira needs a route');
    return answer(principal, r, init);
  },
});

const api = {
  asApp: () => requester('app'),
  asUser: () => requester('user'),
  fetch: () => Promise.reject(new Error('no egress in the smoke test')),
};
export default api;
export const asApp = api.asApp;
export const asUser = api.asUser;
export const fetch = api.fetch;
