package checks

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
)

// goRules reads Go source with go/parser: imports of net/http/pprof,
// tls.Config fields, CORS options, header pairs, weak password literals
// and fast hashes of passwords. A file that does not parse is skipped.
func goRules(rel string, data []byte, s *sdSink) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, rel, data, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return
	}
	line := func(p token.Pos) int { return fset.Position(p).Line }
	optIn := false
	for _, cg := range f.Comments {
		for _, c := range cg.List {
			if strings.HasPrefix(c.Text, "//go:build") &&
				(strings.Contains(c.Text, "debug") || strings.Contains(c.Text, "pprof") || strings.Contains(c.Text, "profil")) &&
				!strings.Contains(c.Text, "!debug") && !strings.Contains(c.Text, "!pprof") {
				optIn = true
			}
		}
	}
	for _, im := range f.Imports {
		// A blank import registers /debug/pprof/ on http.DefaultServeMux; a
		// named import wires the handlers on a mux of the author's choice.
		if p, _ := strconv.Unquote(im.Path.Value); p == "net/http/pprof" && !optIn && im.Name != nil && im.Name.Name == "_" {
			s.fail(idDebug, line(im.Pos()), "net/http/pprof is imported: profiling endpoints are registered on http.DefaultServeMux",
				`import _ "net/http/pprof"`)
		}
	}
	// stack holds the ancestors of the node being visited: a setting made
	// inside an if or a case, or in a function named for it
	// (withInsecureTLS), is an opt-in, not a default.
	var stack []ast.Node
	custom := goCustomVerify(f)
	ast.Inspect(f, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		cond := goConditional(stack, custom)
		stack = append(stack, n)
		switch x := n.(type) {
		case *ast.CompositeLit:
			goCompositeLit(x, line, cond, s)
		case *ast.AssignStmt:
			for i, lhs := range x.Lhs {
				if i < len(x.Rhs) {
					goAssign(sdExprName(lhs), x.Rhs[i], line(x.Pos()), cond, s)
				}
			}
		case *ast.ValueSpec:
			for i, name := range x.Names {
				if i < len(x.Values) {
					goAssign(name.Name, x.Values[i], line(x.Pos()), cond, s)
				}
			}
		case *ast.CallExpr:
			goCall(x, line, s)
		case *ast.FuncDecl:
			if x.Body != nil {
				goFuncBody(x.Body, line, s)
			}
		}
		return true
	})
}

// goConditional reports whether the innermost function around a node
// sets things only on a condition: an if, a switch case, or a function
// whose name says insecure.
func goConditional(stack []ast.Node, custom map[*ast.FuncDecl]bool) bool {
	for i := len(stack) - 1; i >= 0; i-- {
		switch x := stack[i].(type) {
		case *ast.IfStmt, *ast.CaseClause:
			return true
		case *ast.FuncDecl:
			return custom[x] || strings.Contains(strings.ToLower(x.Name.Name), "insecure")
		}
	}
	return false
}

// goCustomVerify finds functions that set VerifyPeerCertificate or
// VerifyConnection: they skip Go's verification to do their own.
func goCustomVerify(f *ast.File) map[*ast.FuncDecl]bool {
	out := map[*ast.FuncDecl]bool{}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Body == nil {
			continue
		}
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && (id.Name == "VerifyPeerCertificate" || id.Name == "VerifyConnection") {
				out[fd] = true
			}
			return !out[fd]
		})
	}
	return out
}

// sdExprName renders the selector or identifier on the left of an
// assignment ("cfg.InsecureSkipVerify" → "InsecureSkipVerify").
func sdExprName(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.Ident:
		return x.Name
	case *ast.SelectorExpr:
		return x.Sel.Name
	}
	return ""
}

// sdStrLit returns the value of a string literal.
func sdStrLit(e ast.Expr) (string, bool) {
	bl, ok := e.(*ast.BasicLit)
	if !ok || bl.Kind != token.STRING {
		return "", false
	}
	v, err := strconv.Unquote(bl.Value)
	return v, err == nil
}

// sdIsTrueIdent reports the identifier true.
func sdIsTrueIdent(e ast.Expr) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == "true"
}

// oldTLSConst reports tls.VersionTLS10, tls.VersionTLS11, tls.VersionSSL30.
func oldTLSConst(e ast.Expr) (string, bool) {
	sel, ok := e.(*ast.SelectorExpr)
	if !ok {
		return "", false
	}
	switch sel.Sel.Name {
	case "VersionTLS10", "VersionTLS11", "VersionSSL30":
		return sel.Sel.Name, true
	}
	return "", false
}

// goAssign checks one field or variable assignment.
func goAssign(name string, val ast.Expr, ln int, cond bool, s *sdSink) {
	switch {
	case name == "InsecureSkipVerify" && sdIsTrueIdent(val) && !cond:
		s.fail(idTLSVerify, ln, "TLS certificate verification is off (InsecureSkipVerify: true)", "InsecureSkipVerify: true")
	case name == "MinVersion" || name == "MaxVersion":
		if c, ok := oldTLSConst(val); ok && name == "MinVersion" {
			s.fail(idTLSVersion, ln, "TLS below 1.2 is allowed (MinVersion: tls."+c+")", "MinVersion: tls."+c)
		}
	case passwordKey(name):
		if v, ok := sdStrLit(val); ok {
			if cv := credentialValue(v); cv != "" && codePasswordKey(name, cv) && isWeakPassword(name, cv) {
				s.fail(idCredentials, ln, "default credential: "+name+" is set to a well-known password in code", name+": "+sdRedacted)
			}
		}
	}
}

// goCompositeLit checks the fields of a composite literal (tls.Config,
// CORS options, structs with password fields).
func goCompositeLit(x *ast.CompositeLit, line func(token.Pos) int, cond bool, s *sdSink) {
	var wildOrigin, creds ast.Node
	// A tls.Config that skips the default verification but brings its own
	// (VerifyPeerCertificate, VerifyConnection) still verifies.
	for _, el := range x.Elts {
		if kv, ok := el.(*ast.KeyValueExpr); ok {
			if k := sdExprName(kv.Key); k == "VerifyPeerCertificate" || k == "VerifyConnection" {
				cond = true
			}
		}
	}
	for _, el := range x.Elts {
		kv, ok := el.(*ast.KeyValueExpr)
		if !ok {
			continue
		}
		key := sdExprName(kv.Key)
		if key == "" {
			if k, ok := sdStrLit(kv.Key); ok {
				key = k
			}
		}
		goAssign(key, kv.Value, line(kv.Pos()), cond, s)
		switch key {
		case "AllowedOrigins", "AllowOrigins":
			if cl, ok := kv.Value.(*ast.CompositeLit); ok {
				for _, o := range cl.Elts {
					if v, ok := sdStrLit(o); ok && v == "*" {
						wildOrigin = kv
					}
				}
			}
		case "AllowAllOrigins":
			if sdIsTrueIdent(kv.Value) {
				wildOrigin = kv
			}
		case "AllowCredentials":
			if sdIsTrueIdent(kv.Value) {
				creds = kv
			}
		}
	}
	if wildOrigin != nil && creds != nil {
		s.fail(idCORS, line(wildOrigin.Pos()), "CORS allows every origin together with credentials",
			"AllowedOrigins: *, AllowCredentials: true")
	}
}

// goHashFuncs are fast hashes that are not password storage schemes.
var goHashFuncs = map[string]bool{
	"md5.Sum": true, "sha1.Sum": true, "sha256.Sum256": true, "sha256.Sum224": true,
	"sha512.Sum512": true, "sha512.Sum384": true,
}

// goCall checks calls: fast hashes of passwords, password flags with
// weak defaults.
func goCall(x *ast.CallExpr, line func(token.Pos) int, s *sdSink) {
	sel, ok := x.Fun.(*ast.SelectorExpr)
	if !ok {
		return
	}
	pkg, _ := sel.X.(*ast.Ident)
	if pkg != nil && goHashFuncs[pkg.Name+"."+sel.Sel.Name] && len(x.Args) == 1 && passwordExpr(sdIdentsOf(x.Args[0])) {
		s.fail(idPasswordHash, line(x.Pos()), "passwords are hashed with "+pkg.Name+", a fast unsalted hash", pkg.Name+"."+sel.Sel.Name+"(password)")
	}
	// flag.String("admin-password", "admin", ...)
	if pkg != nil && pkg.Name == "flag" && len(x.Args) >= 2 && strings.HasPrefix(sel.Sel.Name, "String") {
		name, ok1 := sdStrLit(x.Args[0])
		def, ok2 := sdStrLit(x.Args[1])
		if ok1 && ok2 && codePasswordKey(name, def) {
			if cv := credentialValue(def); cv != "" && isWeakPassword(name, cv) {
				s.fail(idCredentials, line(x.Pos()), "default credential: flag -"+name+" defaults to a well-known password", "-"+name+" default "+sdRedacted)
			}
		}
	}
}

// sdIdentsOf joins the identifiers of an expression ("[]byte(req.Password)"
// → "byte req Password").
func sdIdentsOf(e ast.Expr) string {
	var parts []string
	ast.Inspect(e, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			parts = append(parts, id.Name)
		}
		return true
	})
	return strings.Join(parts, " ")
}

// goFuncBody finds CORS headers set as a pair in one function, and
// md5.New()/sha1.New() hashers that are fed a password.
func goFuncBody(body *ast.BlockStmt, line func(token.Pos) int, s *sdSink) {
	var acao ast.Node
	creds := false
	hasher := ""
	var pwWrite ast.Node
	ast.Inspect(body, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if pkg, ok := sel.X.(*ast.Ident); ok && sel.Sel.Name == "New" && (pkg.Name == "md5" || pkg.Name == "sha1") {
			hasher = pkg.Name
		}
		if (sel.Sel.Name == "Write" || sel.Sel.Name == "WriteString") && len(call.Args) >= 1 && passwordExpr(sdIdentsOf(call.Args[len(call.Args)-1])) {
			pwWrite = call
		}
		if (sel.Sel.Name == "Set" || sel.Sel.Name == "Add") && len(call.Args) == 2 {
			k, ok1 := sdStrLit(call.Args[0])
			v, ok2 := sdStrLit(call.Args[1])
			if ok1 && ok2 {
				switch strings.ToLower(k) {
				case "access-control-allow-origin":
					if v == "*" {
						acao = call
					}
				case "access-control-allow-credentials":
					creds = v == "true"
				}
			}
		}
		return true
	})
	if acao != nil && creds {
		s.fail(idCORS, line(acao.Pos()), "CORS allows every origin together with credentials",
			`Access-Control-Allow-Origin: * with Access-Control-Allow-Credentials: true`)
	}
	if hasher != "" && pwWrite != nil {
		s.fail(idPasswordHash, line(pwWrite.Pos()), "passwords are hashed with "+hasher+", a fast unsalted hash", hasher+".New().Write(password)")
	}
}
