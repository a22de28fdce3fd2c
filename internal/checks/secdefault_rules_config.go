package checks

import (
	"net"
	"net/url"
	"path"
	"regexp"
	"strings"
)

// configRules are the rules that read any parsed configuration tree.
var configRules = []func(*cfgDoc, *sdSink){
	credRule, bindRule, debugRule, tlsOffRule, tlsVersionRule, tlsVerifyRule,
	hashConfigRule, corsConfigRule, autoUpdateRule, newUserRoleRule, statusConfigRule, mainListeners,
}

// sdAnyIP reports whether v binds every interface: 0.0.0.0, ::, [::] or *,
// with or without a port.
func sdAnyIP(v string) bool {
	v = strings.Trim(strings.TrimSpace(v), `"'`)
	if v == "0.0.0.0" || v == "::" || v == "[::]" || v == "*" {
		return true
	}
	if host, _, err := net.SplitHostPort(v); err == nil {
		return host == "0.0.0.0" || host == "::"
	}
	if u, err := url.Parse(v); err == nil && u.Host != "" {
		h := u.Hostname()
		return h == "0.0.0.0" || h == "::"
	}
	return false
}

// auxWords name listeners that serve operators or other services, not the
// product's users: those should listen on localhost by default. A
// product's main web port on 0.0.0.0 is how a server is reached and is not
// reported (in a container it is even required).
var auxWords = []string{
	"admin", "metrics", "debug", "debugger", "status", "management", "pprof", "profiler",
	"profiling", "internal", "diagnostics", "diag", "monitoring", "prometheus", "jmx",
	"db", "database", "redis", "mongo", "mongodb", "postgres", "postgresql", "mysql",
	"mariadb", "memcached", "elasticsearch", "cache", "inspector", "console",
}

// dbConfigFiles are database server configs whose listen address is the
// database's own: it should be localhost unless the operator opens it.
var dbConfigFiles = map[string]string{
	"postgresql.conf": "listenaddresses", "my.cnf": "bindaddress", "mysqld.cnf": "bindaddress",
	"mongod.conf": "bindip", "redis.conf": "bind",
}

// bindRule reports operator, internal and database listeners on every
// interface.
func bindRule(doc *cfgDoc, s *sdSink) {
	base := path.Base(doc.Path)
	dbKey := dbConfigFiles[strings.ToLower(base)]
	cfgVisit(doc.Root, func(p []string, n, parent *cfgNode) bool {
		if n.Kind != cfgScalar || n.Key == "" {
			return true
		}
		nk := sdNormKey(n.Key)
		words := sdKeyWords(n.Key)
		isAddrKey := sdHasWord(words, "host", "bind", "listen", "address", "addr", "ip", "interface", "hostname", "bindip") ||
			nk == "listenaddresses" || nk == "bindaddress"
		if !isAddrKey || !sdAnyIP(n.Value) {
			return true
		}
		if n.Value == "*" && nk != "listenaddresses" && nk != "bindaddress" {
			return true
		}
		switch {
		case dbKey != "" && nk == dbKey:
			s.warn(idBindAll, n.Line,
				"the database listens on all interfaces by default ("+sdJoinPath(p)+"); localhost would do unless other hosts must connect",
				sdJoinPath(p)+": "+n.Value)
		case sdHasWord(sdPathWords(p), auxWords...):
			s.warn(idBindAll, n.Line,
				"an operator or internal listener binds all interfaces by default ("+sdJoinPath(p)+"); localhost would do",
				sdJoinPath(p)+": "+n.Value)
		}
		return true
	})
}

// debugRule reports debug switches and wide-open Spring Boot actuators.
func debugRule(doc *cfgDoc, s *sdSink) {
	cfgVisit(doc.Root, func(p []string, n, parent *cfgNode) bool {
		if n.Kind == cfgMap || n.Key == "" {
			return true
		}
		nk := sdNormKey(n.Key)
		pw := sdPathWords(p[:len(p)-1])
		switch {
		case (nk == "debug" || nk == "debugmode" || nk == "flaskdebug" || nk == "appdebug" || nk == "djangodebug") &&
			n.Kind == cfgScalar && sdIsTrue(n.Value) &&
			!sdHasWord(pw, "log", "logs", "logging", "logger", "toolbar", "test", "tests", "dev", "development"):
			s.fail(idDebug, n.Line, "debug mode is on by default ("+sdJoinPath(p)+")", sdJoinPath(p)+": "+n.Value)
		case nk == "flaskenv" && strings.EqualFold(n.Value, "development"):
			s.fail(idDebug, n.Line, "Flask runs in development mode (debugger and reloader on)", sdJoinPath(p)+": "+n.Value)
		case sdNormKey(sdJoinPath(p)) == "managementendpointswebexposureinclude":
			for _, v := range n.scalars() {
				for _, part := range strings.Split(v, ",") {
					part = strings.TrimSpace(part)
					if part == "*" || part == "env" || part == "heapdump" || part == "threaddump" || part == "logfile" || part == "configprops" {
						s.fail(idDebug, n.Line,
							"Spring Boot actuator exposes "+part+" over HTTP by default (management.endpoints.web.exposure.include)",
							sdJoinPath(p)+": "+v)
						return true
					}
				}
			}
		case sdNormKey(sdJoinPath(p)) == "managementsecurityenabled" && sdIsFalse(n.Value):
			s.fail(idDebug, n.Line, "Spring Boot actuator endpoints need no authentication (management.security.enabled=false)",
				sdJoinPath(p)+": "+n.Value)
		}
		return true
	})
}

// tlsOffRule reports TLS switched off and sslmode=disable to remote hosts.
func tlsOffRule(doc *cfgDoc, s *sdSink) {
	cfgVisit(doc.Root, func(p []string, n, parent *cfgNode) bool {
		if n.Kind != cfgScalar {
			return true
		}
		if n.Key != "" && sdIsFalse(n.Value) {
			nk := sdNormKey(n.Key)
			parentKey := ""
			if len(p) > 1 {
				parentKey = sdNormKey(p[len(p)-2])
			}
			switch {
			case nk == "usetls" || nk == "usessl" || nk == "enabletls" || nk == "enablessl" ||
				nk == "tlsenabled" || nk == "sslenabled" || nk == "tls" || nk == "ssl" ||
				nk == "https" || nk == "httpsenabled" || nk == "requiressl" || nk == "requiretls" ||
				nk == "forcessl" || nk == "forcehttps" || nk == "starttls",
				(nk == "enabled" || nk == "enable") && (parentKey == "tls" || parentKey == "ssl" || parentKey == "https"):
				s.fail(idTLSOff, n.Line, "TLS is off by default ("+sdJoinPath(p)+")", sdJoinPath(p)+": "+n.Value)
				return true
			}
		}
		if host, ok := sslmodeDisableRemote(n.Value, parent); ok {
			s.fail(idTLSOff, n.Line,
				"database connection to "+host+" without TLS (sslmode=disable)", sdJoinPath(p)+": "+redactURL(n.Value))
		}
		return true
	})
}

var sslmodeRe = regexp.MustCompile(`(?i)sslmode\s*=\s*disable`)
var dsnHostRe = regexp.MustCompile(`(?i)(?:^|\s)host\s*=\s*'?([^\s']+)`)

// sslmodeDisableRemote reports a PostgreSQL connection with sslmode=disable
// to a host that is neither loopback, a Unix socket nor a single-label name
// (a compose or Kubernetes service on the same private network).
func sslmodeDisableRemote(v string, parent *cfgNode) (string, bool) {
	if !sslmodeRe.MatchString(v) {
		if sdNormKey(v) == "disable" && parent != nil {
			// sslmode: disable next to host: ...
			if h := parent.child("host", "hostname", "server"); h != nil && h.Kind == cfgScalar && sdRemoteHost(h.Value) {
				if m := parent.child("sslmode"); m != nil && strings.EqualFold(m.Value, "disable") {
					return h.Value, true
				}
			}
		}
		return "", false
	}
	host := urlHost(v)
	if host == "" {
		if m := dsnHostRe.FindStringSubmatch(v); m != nil {
			host = m[1]
		}
	}
	if !sdRemoteHost(host) {
		return "", false
	}
	return host, true
}

// sdRemoteHost reports a host that is neither loopback, a Unix socket, a
// placeholder nor a single-label (same-network service) name.
func sdRemoteHost(h string) bool {
	h = strings.Trim(strings.TrimSpace(h), "[]")
	if h == "" || strings.HasPrefix(h, "/") || strings.EqualFold(h, "localhost") || strings.Contains(h, "$") || strings.Contains(h, "{{") {
		return false
	}
	if ip := net.ParseIP(h); ip != nil {
		return !ip.IsLoopback()
	}
	return strings.Contains(h, ".")
}

// redactURL hides the password of URLs in s.
func redactURL(s string) string {
	return urlCredRe.ReplaceAllStringFunc(s, func(m string) string {
		u, err := url.Parse(m)
		if err != nil || u.User == nil {
			return m
		}
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
		return strings.Replace(u.String(), "xxxxx", sdRedacted, 1)
	})
}

// sdOldTLS reports whether a protocol name or version is below TLS 1.2.
func sdOldTLS(v string, bare bool) bool {
	t := strings.ToLower(strings.TrimSpace(strings.Trim(v, `"'`)))
	t = strings.NewReplacer("v", "", "_", "", ".", "", "-", "", " ", "", "ersion", "").Replace(t)
	t = strings.TrimPrefix(t, "tlsersion")
	switch t {
	case "tls1", "tls10", "tls11", "ssl3", "ssl30", "ssl2", "ssl23", "sslv3", "tlsv1", "tlsv11", "tls1method", "tls11method", "sslv23method", "ssl3method":
		return true
	case "1", "10", "11":
		return bare
	}
	return false
}

// tlsVersionRule reports minimum versions and protocol lists below TLS 1.2.
func tlsVersionRule(doc *cfgDoc, s *sdSink) {
	cfgVisit(doc.Root, func(p []string, n, parent *cfgNode) bool {
		if n.Key == "" || n.Kind == cfgMap {
			return true
		}
		w := sdPathWords(p)
		if !sdHasWord(w, "tls", "ssl", "protocols", "protocol", "minversion", "tlsversion") && !strings.Contains(sdNormKey(n.Key), "tls") && !strings.Contains(sdNormKey(n.Key), "ssl") {
			return true
		}
		kw := sdKeyWords(n.Key)
		versionKey := sdHasWord(kw, "version", "min", "minimum", "protocol", "protocols", "minversion")
		if !versionKey {
			return true
		}
		bare := sdHasWord(kw, "version", "min", "minimum", "minversion") && sdHasWord(w, "tls", "ssl")
		for _, v := range n.scalars() {
			for _, part := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == ':' }) {
				if strings.HasPrefix(part, "!") || strings.HasPrefix(part, "-") {
					continue // OpenSSL-style exclusion
				}
				if sdOldTLS(part, bare) {
					s.fail(idTLSVersion, n.Line, "TLS below 1.2 is allowed by default ("+sdJoinPath(p)+": "+part+")",
						sdJoinPath(p)+": "+v)
					return true
				}
			}
		}
		return true
	})
}

// tlsVerifyRule reports switches that turn certificate verification off.
func tlsVerifyRule(doc *cfgDoc, s *sdSink) {
	cfgVisit(doc.Root, func(p []string, n, parent *cfgNode) bool {
		if n.Kind != cfgScalar || n.Key == "" {
			return true
		}
		nk := sdNormKey(n.Key)
		parentWords := sdPathWords(p[:len(p)-1])
		off := false
		switch nk {
		case "insecureskipverify", "tlsskipverify", "skiptlsverify", "skipsslverify", "sslskipverify",
			"tlsinsecure", "sslinsecure", "skipverify", "gitsslnoverify", "noverifyssl", "disablesslverification",
			"disabletlsverification", "insecuretls", "tlsinsecureskipverify":
			off = sdIsTrue(n.Value)
		case "verifyssl", "sslverify", "tlsverify", "verifycertificate", "verifycertificates", "verifycert",
			"verifypeer", "sslverifypeer", "verifytls", "checkcertificate", "validatecerts", "validatecertificate",
			"rejectunauthorized", "pythonhttpsverify", "nodetlsrejectunauthorized", "sslcertverify", "verifyhostname":
			off = sdIsFalse(n.Value)
		case "verify":
			off = sdIsFalse(n.Value) && sdHasWord(parentWords, "tls", "ssl", "https", "cert", "certificate", "certificates")
		case "insecure":
			off = sdIsTrue(n.Value) && sdHasWord(parentWords, "tls", "ssl", "https")
		case "sslmode":
			// sslmode=disable is tls-off; require encrypts but does not verify
			// and is a common, deliberate choice: not reported.
		}
		if off {
			s.fail(idTLSVerify, n.Line, "TLS certificate verification is off by default ("+sdJoinPath(p)+")",
				sdJoinPath(p)+": "+n.Value)
		}
		return true
	})
}

// weakHashNames are password storage schemes that are not fit for purpose.
var weakHashNames = map[string]bool{
	"md5": true, "sha1": true, "sha": true, "plain": true, "plaintext": true, "clear": true,
	"cleartext": true, "none": true, "crypt": true, "des": true, "unsaltedmd5": true,
	"unsaltedsha1": true, "md5crypt": true, "sha256": true, "sha512": true, "mysql": true,
}

// hashConfigRule reports weak password storage schemes named in config.
func hashConfigRule(doc *cfgDoc, s *sdSink) {
	cfgVisit(doc.Root, func(p []string, n, parent *cfgNode) bool {
		if n.Kind != cfgScalar || n.Key == "" {
			return true
		}
		w := sdPathWords(p)
		kw := sdKeyWords(n.Key)
		if !sdHasWord(w, "password", "passwords", "passwd") && sdNormKey(n.Key) != "passwordencryption" {
			return true
		}
		if !sdHasWord(kw, "hash", "hasher", "hashing", "algorithm", "algo", "scheme", "encryption", "encoder", "digest", "storage") {
			return true
		}
		if weakHashNames[sdNormKey(n.Value)] {
			s.fail(idPasswordHash, n.Line, "passwords are stored with "+n.Value+" by default ("+sdJoinPath(p)+")",
				sdJoinPath(p)+": "+n.Value)
		}
		return true
	})
}

// corsConfigRule reports a map with wildcard origins and credentials.
func corsConfigRule(doc *cfgDoc, s *sdSink) {
	cfgVisit(doc.Root, func(p []string, n, parent *cfgNode) bool {
		if n.Kind != cfgMap {
			return true
		}
		origins := n.child("alloworigins", "allowedorigins", "allowedorigin", "alloworigin", "origins", "origin",
			"accesscontrolalloworigin", "corsorigins", "corsallowedorigins", "corsalloworigins",
			"alloworiginpatterns", "allowedoriginpatterns", "corsoriginwhitelist", "corsallowallorigins",
			"corsoriginallowall", "allowallorigins")
		creds := n.child("allowcredentials", "credentials", "supportscredentials", "accesscontrolallowcredentials",
			"corsallowcredentials", "corssupportscredentials")
		if origins == nil || creds == nil || creds.Kind != cfgScalar || !sdIsTrue(creds.Value) {
			return true
		}
		wild := false
		ok := sdNormKey(origins.Key)
		if ok == "corsallowallorigins" || ok == "corsoriginallowall" || ok == "allowallorigins" {
			wild = origins.Kind == cfgScalar && sdIsTrue(origins.Value)
		} else {
			for _, v := range origins.scalars() {
				for _, part := range strings.Split(v, ",") {
					if strings.TrimSpace(part) == "*" {
						wild = true
					}
				}
			}
		}
		if wild {
			s.fail(idCORS, origins.Line,
				"CORS allows every origin together with credentials ("+sdJoinPath(append(p, origins.Key))+")",
				origins.Key+" * with "+creds.Key+": "+creds.Value)
		}
		return true
	})
}

// updateParents are sections under which an auto-update switch is about
// the product itself (not about a feed, a cache or a GeoIP database).
var updateParents = []string{
	"update", "updates", "updater", "upgrade", "upgrades", "autoupdate", "software", "system", "app",
	"application", "general", "settings", "security", "core", "server", "firmware", "agent", "client",
	"platform", "product", "config", "defaults", "default", "maintenance", "data", "env", "environment",
}

// autoUpdateRule reports automatic updates switched off by default.
func autoUpdateRule(doc *cfgDoc, s *sdSink) {
	cfgVisit(doc.Root, func(p []string, n, parent *cfgNode) bool {
		if n.Kind != cfgScalar || n.Key == "" {
			return true
		}
		nk := sdNormKey(n.Key)
		parents := p[:len(p)-1]
		pw := sdPathWords(parents)
		if sdHasWord(pw, "dependency", "dependencies", "deps", "dependabot", "renovate", "schema", "geoip", "feed", "feeds", "index", "cache", "plugin", "plugins", "theme", "themes") {
			return true
		}
		parentOK := len(parents) == 0 || sdHasWord(sdKeyWords(parents[len(parents)-1]), updateParents...)
		updateParent := sdHasWord(pw, "update", "updates", "upgrade", "upgrades", "updater", "autoupdate", "autoupdates")
		fire := false
		switch {
		case strings.HasPrefix(nk, "autoupdate") || strings.HasPrefix(nk, "automaticupdate") ||
			strings.HasPrefix(nk, "autoupgrade") || strings.HasPrefix(nk, "automaticupgrade") ||
			nk == "autoinstallupdates" || nk == "autoapplyupdates" || nk == "enableautoupdate" ||
			nk == "enableautoupdates" || nk == "autosecurityupdates" || nk == "unattendedupgrades" ||
			nk == "automaticsecurityupdates":
			fire = parentOK && sdIsFalse(n.Value)
		case nk == "auto" || nk == "automatic" || nk == "autoinstall" || nk == "autoapply" || nk == "install" || nk == "apply":
			fire = updateParent && sdIsFalse(n.Value)
		case (nk == "enabled" || nk == "enable") && updateParent && sdHasWord(sdKeyWords(parents[len(parents)-1]), "update", "updates", "autoupdate", "autoupdates", "upgrade", "upgrades", "updater"):
			fire = sdIsFalse(n.Value)
		case nk == "mode" || nk == "policy" || nk == "strategy" || nk == "updatemode" || nk == "updatepolicy" || nk == "upgrademode":
			if updateParent || strings.HasPrefix(nk, "update") || strings.HasPrefix(nk, "upgrade") {
				switch strings.ToLower(n.Value) {
				case "manual", "off", "disabled", "never", "none":
					fire = true
				}
			}
		}
		if fire {
			s.fail(idAutoUpdate, n.Line, "automatic security updates are off by default ("+sdJoinPath(p)+": "+n.Value+")",
				sdJoinPath(p)+": "+n.Value)
		}
		return true
	})
}

// urlHost returns the host of the first URL in s, read by hand because
// placeholders such as ${DB_PASSWORD} make net/url reject the userinfo.
func urlHost(s string) string {
	i := strings.Index(s, "://")
	if i < 0 {
		return ""
	}
	auth := s[i+3:]
	if end := strings.IndexAny(auth, "/?# \t\"'"); end >= 0 {
		auth = auth[:end]
	}
	if at := strings.LastIndex(auth, "@"); at >= 0 {
		auth = auth[at+1:]
	}
	if strings.HasPrefix(auth, "[") {
		if end := strings.Index(auth, "]"); end > 0 {
			return auth[1:end]
		}
	}
	if c := strings.LastIndex(auth, ":"); c >= 0 {
		auth = auth[:c]
	}
	return auth
}
