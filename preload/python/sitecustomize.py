"""campaign-mock preload for Python: sends Adobe's hosts to campaign-mock.

    PYTHONPATH=<dir of this file> CAMPAIGN_MOCK_TLS_PORT=8443 SSL_CERT_FILE=DIR/ca.pem \\
        python3 client.py

(as `campaign-mock env` prints it). Python imports a module named sitecustomize at
start-up from the first directory of sys.path that has one; PYTHONPATH comes first.

What: a client keeps Adobe's real URLs (https://mc.adobe.io,
https://ims-na1.adobelogin.com, https://ims-na1-stg1.adobelogin.com); every connection
to one of those hosts on port 443 goes to CAMPAIGN_MOCK_HOST:CAMPAIGN_MOCK_TLS_PORT
instead. Only the address lookup changes: http.client, urllib, requests, httpx (sync)
and asyncio all resolve through socket.getaddrinfo (socket.create_connection and
loop.getaddrinfo call it), and the TLS layer still sends the Adobe name as SNI and
checks the certificate against it. The mock's certificate carries those names and is
signed by its local CA, which SSL_CERT_FILE (REQUESTS_CA_BUNDLE for requests) makes
trusted, so verification stays on, as in production.

Why: a client or SDK that hard-codes Adobe's URLs cannot be pointed at
http://127.0.0.1 by configuration; patching the lookup under it lets the real, unchanged
code run against the mock over real TLS. And a test must never reach the real Adobe or
any other host by mistake: any other name that is not local (localhost, *.localhost, an
IP literal, the mock's own host) raises socket.gaierror whose message (its strerror)
starts "campaign-mock preload: refusing <name>", as does an Adobe name on a port other
than 443 (Adobe serves these APIs over https only; a client using http:// is broken).
The mocked names are also added to no_proxy and NO_PROXY, so that a proxy configured in
the environment does not tunnel them to the real Adobe.

Environment (the server's own option twins, so one shell serves both):
  CAMPAIGN_MOCK_TLS_PORT  required: the mock's HTTPS port; without it the interpreter
                          stops at once, with a one-line message naming the variable
  CAMPAIGN_MOCK_HOST      the mock's address, default 127.0.0.1 (0.0.0.0 means
                          127.0.0.1, :: means ::1); may be a name, resolved as usual
  CAMPAIGN_MOCK_TLS_HOST  comma-separated host names to send to the mock besides Adobe's

Being sitecustomize, this file would hide any other sitecustomize further on sys.path
(Debian and Ubuntu ship one); it runs that one afterwards. One self-contained file,
standard library only (`campaign-mock env` writes it out from the binary); Python 3.9+.
"""

import importlib.machinery
import importlib.util
import ipaddress
import os
import socket
import sys

_PREFIX = "campaign-mock preload"
_ADOBE_HOSTS = ("mc.adobe.io", "ims-na1.adobelogin.com", "ims-na1-stg1.adobelogin.com")
_HTTPS_PORTS = (443, "443", b"443", "https", b"https")


def _die(message):
    # An exception here would only be printed by site.py, and the program would then run
    # unpatched against the real Adobe: stopping is the safe failure.
    sys.stderr.write("%s: %s\n" % (_PREFIX, message))
    sys.stderr.flush()
    os._exit(2)


def _normalize(host):
    """A host name as compared here: text, lower case, no final dot or IPv6 brackets."""
    if isinstance(host, (bytes, bytearray)):
        host = bytes(host).decode("ascii", "replace")
    host = str(host).strip().lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if host.endswith("."):
        host = host[:-1]
    return host


def _read_config(env):
    port_text = env.get("CAMPAIGN_MOCK_TLS_PORT", "").strip()
    if not port_text:
        _die("CAMPAIGN_MOCK_TLS_PORT is not set: set it to campaign-mock's HTTPS port "
             "(its --tls-port, or the second line of its --port-file), "
             'e.g. with eval "$(campaign-mock env)"')
    if not (port_text.isdigit() and len(port_text) <= 5 and 1 <= int(port_text) <= 65535):
        _die('CAMPAIGN_MOCK_TLS_PORT is "%s": it must be a port number from 1 to 65535'
             % port_text)
    host = _normalize(env.get("CAMPAIGN_MOCK_HOST") or "127.0.0.1")
    host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
    hosts = list(_ADOBE_HOSTS)
    for name in env.get("CAMPAIGN_MOCK_TLS_HOST", "").split(","):
        if name.strip() and _normalize(name) not in hosts:
            hosts.append(_normalize(name))
    return int(port_text), host, tuple(hosts)


_TLS_PORT, _MOCK_HOST, _MOCKED = _read_config(os.environ)


def _is_ip(host):
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
        return True
    except ValueError:
        return False


def _is_local(host):
    return (host in ("", "localhost") or host.endswith(".localhost") or _is_ip(host)
            or host == _MOCK_HOST)


def _refusal(name, why):
    return socket.gaierror(socket.EAI_NONAME, "%s: refusing %s: %s" % (_PREFIX, name, why))


_original_getaddrinfo = socket.getaddrinfo


def _getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
    if host is None:
        return _original_getaddrinfo(host, port, family, type, proto, flags)
    name = _normalize(host)
    if name in _MOCKED:
        if port not in _HTTPS_PORTS:
            raise _refusal(name, "port %s is not 443: Adobe serves these APIs over https only"
                           % (port.decode() if isinstance(port, bytes) else port))
        return _original_getaddrinfo(_MOCK_HOST, _TLS_PORT, family, type, proto, flags)
    if _is_local(name):
        return _original_getaddrinfo(host, port, family, type, proto, flags)
    raise _refusal(name, "not local, nor one of the names sent to campaign-mock at %s:%d (%s)"
                   % (_MOCK_HOST, _TLS_PORT, ", ".join(_MOCKED)))


_getaddrinfo.__doc__ = _original_getaddrinfo.__doc__
socket.getaddrinfo = _getaddrinfo


def _bypass_proxies():
    """Adds the mocked names to no_proxy/NO_PROXY, so that an https_proxy in the
    environment (urllib and requests honour it) does not tunnel them to the real Adobe."""
    for name in ("no_proxy", "NO_PROXY"):
        current = os.environ.get(name)
        if current is not None and current.strip() == "*":
            continue
        listed = [h.strip() for h in (current or "").split(",") if h.strip()]
        listed += [h for h in _MOCKED if h not in listed]
        os.environ[name] = ",".join(listed)


_bypass_proxies()


def _run_next_sitecustomize():
    """Runs the sitecustomize this one hides: the next one on sys.path after this dir."""
    here = os.path.dirname(os.path.abspath(__file__))
    paths = [p for p in sys.path if os.path.abspath(p or os.curdir) != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", paths)
    if spec is None or spec.origin is None or spec.loader is None:
        return
    if os.path.abspath(spec.origin) == os.path.abspath(__file__):
        return
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)


_run_next_sitecustomize()
