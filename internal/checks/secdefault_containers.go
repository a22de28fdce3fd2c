package checks

import (
	"path"
	"regexp"
	"strings"
)

// isComposeDoc reports whether a YAML document is a Compose file: named
// like one, or with a services map whose entries have image or build.
func isComposeDoc(rel string, root *cfgNode) bool {
	base := strings.ToLower(path.Base(rel))
	if strings.HasPrefix(base, "docker-compose") || strings.HasPrefix(base, "compose.") || strings.HasPrefix(base, "compose-") {
		return true
	}
	svcs := root.child("services")
	if svcs == nil || svcs.Kind != cfgMap || len(svcs.Kids) == 0 {
		return false
	}
	for _, s := range svcs.Kids {
		if s.child("image", "build") == nil {
			return false
		}
	}
	return true
}

// isKubeDoc reports whether a YAML document is a Kubernetes object.
func isKubeDoc(root *cfgNode) bool {
	return root.child("apiversion") != nil && root.child("kind") != nil
}

// envListToMap rewrites environment lists in place so that the
// configuration rules see keys: Compose's ["KEY=value"] and Kubernetes'
// [{name: KEY, value: v}].
func envListToMap(root *cfgNode) {
	cfgVisit(root, func(p []string, n, parent *cfgNode) bool {
		nk := sdNormKey(n.Key)
		if n.Kind != cfgList || (nk != "environment" && nk != "env") {
			return true
		}
		var kids []*cfgNode
		for _, it := range n.Kids {
			switch it.Kind {
			case cfgScalar:
				k, v, _ := strings.Cut(it.Value, "=")
				kids = append(kids, &cfgNode{Key: k, Value: v, Line: it.Line})
			case cfgMap:
				name, val := it.child("name"), it.child("value")
				if name != nil && val != nil && name.Kind == cfgScalar && val.Kind == cfgScalar {
					kids = append(kids, &cfgNode{Key: name.Value, Value: val.Value, Line: val.Line})
				}
			}
		}
		n.Kind, n.Kids = cfgMap, kids
		return false
	})
}

// dbImageRe names images of databases and caches: publishing their ports
// on every host interface opens them to the network.
var dbImageRe = regexp.MustCompile(`(?i)(^|/)(postgres|postgis|mysql|mariadb|mongo|redis|valkey|memcached|elasticsearch|opensearch|cassandra|couchdb|influxdb|clickhouse|etcd|rabbitmq|mssql|neo4j)([:@/-]|$)`)

// composeRules reads Compose services: privileged, added capabilities,
// root users, and database ports published on every host interface.
func composeRules(doc *cfgDoc, s *sdSink) {
	svcs := doc.Root.child("services")
	if svcs == nil {
		return
	}
	for _, svc := range svcs.Kids {
		if svc.Kind != cfgMap {
			continue
		}
		if p := svc.child("privileged"); p != nil && sdIsTrue(p.Value) {
			s.fail(idPrivileged, p.Line, "service "+svc.Key+" runs privileged (full access to the host)", "services."+svc.Key+".privileged: "+p.Value)
		}
		if caps := svc.child("capadd"); caps != nil {
			for _, c := range caps.Kids {
				if v := strings.ToUpper(strings.TrimPrefix(strings.ToUpper(c.Value), "CAP_")); v == "ALL" || v == "SYS_ADMIN" {
					s.fail(idPrivileged, c.Line, "service "+svc.Key+" adds capability "+c.Value, "services."+svc.Key+".cap_add: "+c.Value)
				}
			}
		}
		if u := svc.child("user"); u != nil && u.Kind == cfgScalar {
			v := strings.ToLower(u.Value)
			if v == "root" || v == "0" || strings.HasPrefix(v, "0:") || strings.HasPrefix(v, "root:") {
				s.fail(idContainerRoot, u.Line, "service "+svc.Key+" runs as root (user: "+u.Value+")", "services."+svc.Key+".user: "+u.Value)
			}
		}
		ports := svc.child("ports")
		if ports == nil {
			continue
		}
		img := svc.child("image")
		dbImage := img != nil && dbImageRe.MatchString(img.Value)
		for _, pt := range ports.Kids {
			if !sdPublishedOnAll(pt) {
				continue
			}
			switch {
			case dbImage:
				s.warn(idBindAll, pt.Line,
					"service "+svc.Key+" ("+img.Value+") publishes its port on every host interface; bind it to 127.0.0.1 or leave it unpublished",
					"services."+svc.Key+".ports: "+sdPortText(pt))
			case dbPorts[sdTargetPort(pt)] != "":
				// A database built here or under another image name: the
				// container port says what it is. An app port ("8080:8080",
				// "0.0.0.0:8080:8080") is how the product is reached.
				s.warn(idBindAll, pt.Line,
					"service "+svc.Key+" publishes the "+dbPorts[sdTargetPort(pt)]+" port on every host interface; bind it to 127.0.0.1 or leave it unpublished",
					"services."+svc.Key+".ports: "+sdPortText(pt))
			}
		}
	}
}

// dbPorts are the well-known container ports of databases and caches.
var dbPorts = map[string]string{
	"5432": "PostgreSQL", "3306": "MySQL", "27017": "MongoDB", "6379": "Redis",
	"11211": "memcached", "9200": "Elasticsearch", "9042": "Cassandra", "5984": "CouchDB",
	"1433": "SQL Server", "7687": "Neo4j", "2379": "etcd", "8123": "ClickHouse",
}

// sdTargetPort returns the container port of a Compose port ("8080:80" is
// 80; "127.0.0.1:5432:5432/tcp" is 5432; {target: 5432}); "" when unknown.
func sdTargetPort(pt *cfgNode) string {
	switch pt.Kind {
	case cfgScalar:
		v := strings.TrimSpace(pt.Value)
		v, _, _ = strings.Cut(v, "/")
		if i := strings.LastIndex(v, ":"); i >= 0 {
			v = v[i+1:]
		}
		return v
	case cfgMap:
		if t := pt.child("target"); t != nil {
			return strings.TrimSpace(t.Value)
		}
	}
	return ""
}

// sdPublishedOnAll reads a Compose port (short "8080:80", "127.0.0.1:5432:5432"
// or long {published, host_ip}) and reports whether it publishes on every
// host interface.
func sdPublishedOnAll(pt *cfgNode) bool {
	switch pt.Kind {
	case cfgScalar:
		v := strings.TrimSpace(pt.Value)
		if v == "" {
			return false
		}
		// host_ip:published:target — an IPv6 host is in brackets.
		if strings.HasPrefix(v, "[") {
			end := strings.Index(v, "]")
			return end > 0 && sdAnyIP(v[:end+1])
		}
		parts := strings.Split(v, ":")
		if len(parts) == 3 {
			return sdAnyIP(parts[0]) || parts[0] == ""
		}
		return true
	case cfgMap:
		hip := pt.child("hostip")
		return pt.child("published") != nil && (hip == nil || sdAnyIP(hip.Value))
	}
	return false
}

// sdPortText renders a Compose port for evidence.
func sdPortText(pt *cfgNode) string {
	if pt.Kind == cfgScalar {
		return pt.Value
	}
	if p := pt.child("published"); p != nil {
		return "published " + p.Value
	}
	return ""
}

// sdPodSpec returns the pod spec of a Kubernetes workload.
func sdPodSpec(root *cfgNode) *cfgNode {
	kind := root.child("kind")
	spec := root.child("spec")
	if kind == nil || spec == nil {
		return nil
	}
	switch strings.ToLower(kind.Value) {
	case "pod":
		return spec
	case "deployment", "statefulset", "daemonset", "replicaset", "job", "replicationcontroller":
		if t := spec.child("template"); t != nil {
			return t.child("spec")
		}
	case "cronjob":
		if jt := spec.child("jobtemplate"); jt != nil {
			if js := jt.child("spec"); js != nil {
				if t := js.child("template"); t != nil {
					return t.child("spec")
				}
			}
		}
	}
	return nil
}

// kubeRules reads the containers of a Kubernetes workload: privileged,
// root user, writable root filesystem.
func kubeRules(doc *cfgDoc, s *sdSink) {
	spec := sdPodSpec(doc.Root)
	if spec == nil {
		return
	}
	name := ""
	if md := doc.Root.child("metadata"); md != nil {
		if n := md.child("name"); n != nil {
			name = n.Value
		}
	}
	kind := doc.Root.child("kind").Value
	podSC := spec.child("securitycontext")
	for _, group := range []string{"containers", "initcontainers"} {
		list := spec.child(group)
		if list == nil {
			continue
		}
		for _, c := range list.Kids {
			if c.Kind != cfgMap {
				continue
			}
			cname := ""
			if n := c.child("name"); n != nil {
				cname = n.Value
			}
			where := kind + " " + name + ", container " + cname
			line := c.Line
			if n := c.child("name"); n != nil {
				line = n.Line
			}
			sc := c.child("securitycontext")
			if p := sc.child("privileged"); p != nil && sdIsTrue(p.Value) {
				s.fail(idPrivileged, p.Line, where+" runs privileged", "securityContext.privileged: "+p.Value)
			}
			kubeRunAsRoot(where, line, sc, podSC, s)
			if ro := sc.child("readonlyrootfilesystem"); ro == nil || !sdIsTrue(ro.Value) {
				at := line
				if ro != nil {
					at = ro.Line
				}
				s.warn(idRootFS, at, where+" has a writable root filesystem (readOnlyRootFilesystem is not true)",
					"securityContext.readOnlyRootFilesystem: "+sdValueOr(ro, "unset"))
			}
		}
	}
}

// kubeRunAsRoot reports a container that runs, or may run, as root: the
// container's securityContext wins over the pod's.
func kubeRunAsRoot(where string, line int, sc, podSC *cfgNode, s *sdSink) {
	for _, ctx := range []*cfgNode{sc, podSC} {
		if u := ctx.child("runasuser"); u != nil {
			if strings.TrimSpace(u.Value) == "0" {
				s.fail(idContainerRoot, u.Line, where+" runs as root (runAsUser: 0)", "securityContext.runAsUser: 0")
			}
			return
		}
		if nr := ctx.child("runasnonroot"); nr != nil {
			// runAsNonRoot: false only drops the kubelet's check; the image
			// may still set a user: a warning, like an unset one.
			if !sdIsTrue(nr.Value) {
				s.warn(idContainerRoot, nr.Line, where+" may run as root (runAsNonRoot is not true)", "securityContext.runAsNonRoot: "+nr.Value)
			}
			return
		}
	}
	s.warn(idContainerRoot, line, where+" may run as root: no runAsNonRoot or runAsUser in its securityContext",
		"securityContext.runAsNonRoot: unset")
}

// sdValueOr is n's value, or def when n is nil.
func sdValueOr(n *cfgNode, def string) string {
	if n == nil {
		return def
	}
	return n.Value
}
