// campaign-mock preload for Node.js: sends Adobe's hosts to campaign-mock.
//
//   CAMPAIGN_MOCK_TLS_PORT=8443 NODE_EXTRA_CA_CERTS=DIR/ca.pem \
//     node --require campaign-mock-preload.js client.js
//
// (or NODE_OPTIONS="--require ...", as `campaign-mock env` prints it).
//
// What: a client keeps Adobe's real URLs (https://mc.adobe.io, https://ims-na1.adobelogin.com,
// https://ims-na1-stg1.adobelogin.com); every connection to one of those hosts on port 443
// goes to CAMPAIGN_MOCK_HOST:CAMPAIGN_MOCK_TLS_PORT instead, with the TLS server name
// (SNI) and the certificate check still on the Adobe name. The mock's certificate carries
// those names and is signed by its local CA, which NODE_EXTRA_CA_CERTS adds to the trusted
// ones, so certificate verification stays on, as in production.
//
// Why: a library such as @adobe/aio-lib-ims hard-codes IMS's URL, so a test cannot point
// it at http://127.0.0.1 by configuration. Patching the network under it lets the real,
// unchanged library run against the mock, and the test then proves the client works with
// the URLs, TLS and certificate checks it will meet at Adobe.
//
// And a test must never reach the real Adobe or any other host by mistake: any other name
// that is not local (localhost, *.localhost, an IP literal, the mock's own host) is
// refused, with an error whose message starts "campaign-mock preload: refusing <name>",
// and a plain (non-TLS) connection to an Adobe name on a port other than 443 is refused
// too (Adobe serves these APIs over https only; a client using http:// is broken).
//
// How, for every client Node has: https.request/https.get and node-fetch (through
// https.Agent), the global fetch (undici), http2 and raw tls.connect all open their socket
// through tls.connect, and every TCP socket (tls's own included) through
// net.Socket.prototype.connect:
// - tls.connect: a connection to an Adobe name gets servername = that name (when the
//   caller gave none), so SNI is sent and the certificate is checked against it;
// - net.Socket.prototype.connect: an Adobe name on port 443 becomes the mock's address and
//   TLS port; a refused name gets a lookup that fails, so the socket emits the refusal as
//   its 'error' the way it would a DNS failure;
// - dns.lookup and dns.promises.lookup: an Adobe name resolves to the mock's address, a
//   refused name fails (for code that resolves names itself);
// - no_proxy/NO_PROXY gain Adobe's names, so an HTTPS_PROXY in the environment does not
//   tunnel them to the real Adobe (proxy-from-env, used by aio-lib-core-networking, reads
//   them on each request).
//
// Environment (the server's own option twins, so one shell serves both):
//   CAMPAIGN_MOCK_TLS_PORT  required: the mock's HTTPS port; without it the process stops (2)
//                           at once, with a one-line message naming the variable
//   CAMPAIGN_MOCK_HOST      the mock's address, default 127.0.0.1 (0.0.0.0 means 127.0.0.1,
//                           :: means ::1); may be a name (a Docker service), resolved as usual
//   CAMPAIGN_MOCK_TLS_HOST  comma-separated host names to send to the mock besides Adobe's
//
// One self-contained file, Node's built-in modules only: `campaign-mock env` writes it out
// from the binary. Node 18 or later.
"use strict";

const dns = require("node:dns");
const net = require("node:net");
const tls = require("node:tls");

const PREFIX = "campaign-mock preload";
const ADOBE_HOSTS = ["mc.adobe.io", "ims-na1.adobelogin.com", "ims-na1-stg1.adobelogin.com"];
const HTTPS_PORT = 443;

// Stops the process with one line on stderr: a client that ran unpatched would call the
// real Adobe, which is worse than not running at all.
function die(message) {
  process.stderr.write(`${PREFIX}: ${message}\n`);
  process.exit(2);
}

// A host name as compared here: lower case, without a final dot or IPv6 brackets.
function normalize(host) {
  let h = String(host).trim().toLowerCase();
  if (h.startsWith("[") && h.endsWith("]")) h = h.slice(1, -1);
  if (h.endsWith(".")) h = h.slice(0, -1);
  return h;
}

function readConfig(env) {
  const portText = (env.CAMPAIGN_MOCK_TLS_PORT || "").trim();
  if (portText === "") {
    die(
      "CAMPAIGN_MOCK_TLS_PORT is not set: set it to campaign-mock's HTTPS port " +
        '(its --tls-port, or the second line of its --port-file), e.g. with eval "$(campaign-mock env)"',
    );
  }
  if (!/^[0-9]{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
    die(`CAMPAIGN_MOCK_TLS_PORT is "${portText}": it must be a port number from 1 to 65535`);
  }
  let host = normalize(env.CAMPAIGN_MOCK_HOST || "127.0.0.1");
  if (host === "0.0.0.0") host = "127.0.0.1";
  if (host === "::") host = "::1";
  const hosts = new Set(ADOBE_HOSTS);
  for (const name of (env.CAMPAIGN_MOCK_TLS_HOST || "").split(",")) {
    if (name.trim() !== "") hosts.add(normalize(name));
  }
  return { port: Number(portText), host, hosts };
}

const config = readConfig(process.env);

function isMocked(host) {
  return host !== undefined && host !== null && config.hosts.has(normalize(host));
}

// Names that connect and resolve as usual: local ones, IP literals, and the mock's own
// host. An absent host means localhost to net and tls.
function isLocal(host) {
  if (host === undefined || host === null || host === "") return true;
  const h = normalize(host);
  return (
    h === "localhost" || h.endsWith(".localhost") || net.isIP(h.split("%")[0]) !== 0 || h === config.host
  );
}

function refusal(host, why) {
  const err = new Error(`${PREFIX}: refusing ${host}: ${why}`);
  // As Node's own failed lookups have it, so that clients handle it as one.
  err.code = "ENOTFOUND";
  err.errno = -3008;
  err.syscall = "getaddrinfo";
  err.hostname = host;
  return err;
}

function refusalForName(host) {
  return refusal(
    host,
    `not local, nor one of the names sent to campaign-mock at ${config.host}:${config.port} ` +
      `(${[...config.hosts].join(", ")})`,
  );
}

// --- dns ---------------------------------------------------------------------------------

const originalLookup = dns.lookup;
const originalPromisesLookup = dns.promises.lookup;

// An Adobe name resolves as the mock's host does (its address, or its name looked up).
function lookup(hostname, options, callback) {
  if (typeof options === "function") {
    callback = options;
    options = {};
  }
  if (typeof callback !== "function") return originalLookup.call(dns, hostname, options, callback);
  if (isMocked(hostname)) return originalLookup.call(dns, config.host, options, callback);
  if (isLocal(hostname)) return originalLookup.call(dns, hostname, options, callback);
  process.nextTick(callback, refusalForName(hostname));
  return {};
}

async function promisesLookup(hostname, options) {
  if (isMocked(hostname)) return originalPromisesLookup.call(dns.promises, config.host, options);
  if (isLocal(hostname)) return originalPromisesLookup.call(dns.promises, hostname, options);
  throw refusalForName(hostname);
}

dns.lookup = lookup;
dns.promises.lookup = promisesLookup;

// --- the arguments of tls.connect and net's connect ----------------------------------------

// A copy of the options of a connect call, read as Node reads its forms: (options[, cb]),
// (port[, host][, options][, cb]) and (path[, options][, cb]).
function connectOptions(args) {
  const list = Array.prototype.slice.call(args);
  let callback;
  if (typeof list[list.length - 1] === "function") callback = list.pop();
  let options;
  if (list[0] !== null && typeof list[0] === "object") {
    options = { ...list[0] };
  } else {
    options = {};
    if (typeof list[0] === "string" && !/^[0-9]+$/.test(list[0])) {
      options.path = list[0];
    } else {
      options.port = list[0];
      if (typeof list[1] === "string") options.host = list[1];
    }
    // As tls.connect does: the options object's members override the positional ones.
    const extra = list.find((a, i) => i > 0 && a !== null && typeof a === "object");
    if (extra) Object.assign(options, extra);
  }
  return { options, callback };
}

function callWith(fn, self, options, callback) {
  return callback ? fn.call(self, options, callback) : fn.call(self, options);
}

// --- tls: the Adobe name stays the server name ---------------------------------------------

const originalTlsConnect = tls.connect;

tls.connect = function connect(...args) {
  const { options, callback } = connectOptions(args);
  if (!options.socket && !options.path && isMocked(options.host) && !options.servername) {
    options.servername = normalize(options.host);
    return callWith(originalTlsConnect, this, options, callback);
  }
  return originalTlsConnect.apply(this, args);
};

// --- net: every TCP connection, tls's own included -----------------------------------------

const originalSocketConnect = net.Socket.prototype.connect;

function failingLookup(err) {
  return (hostname, options, callback) => {
    process.nextTick(typeof options === "function" ? options : callback, err);
  };
}

net.Socket.prototype.connect = function connect(...args) {
  // net.connect passes its normalized [options, callback] pair as one array argument.
  const { options, callback } = connectOptions(Array.isArray(args[0]) ? args[0] : args);
  if (options.path) return originalSocketConnect.apply(this, args);
  if (isMocked(options.host) && Number(options.port) === HTTPS_PORT) {
    options.host = config.host;
    options.port = config.port;
  } else if (isMocked(options.host)) {
    const why = `port ${options.port} is not 443: Adobe serves these APIs over https only`;
    options.lookup = failingLookup(refusal(options.host, why));
  } else if (isLocal(options.host)) {
    return originalSocketConnect.apply(this, args);
  } else {
    options.lookup = failingLookup(refusalForName(options.host));
  }
  return callWith(originalSocketConnect, this, options, callback);
};

// --- proxies: never tunnel Adobe's names ----------------------------------------------------

for (const name of ["no_proxy", "NO_PROXY"]) {
  const current = process.env[name];
  if (current !== undefined && current.trim() === "*") continue;
  const listed = (current || "").split(",").map((s) => s.trim()).filter((s) => s !== "");
  for (const host of config.hosts) if (!listed.includes(host)) listed.push(host);
  process.env[name] = listed.join(",");
}
