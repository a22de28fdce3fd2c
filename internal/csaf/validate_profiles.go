package csaf

import "slices"

// testProfiles runs the profile tests 6.1.27.1 to 6.1.27.11, each for the
// document categories it applies to.
func (c *checker) testProfiles(t productTree) {
	cat := str(get(c.doc, "document", "category"))
	doc := get(c.doc, "document")
	dp := root.key("document")
	vulns := arr(get(c.doc, "vulnerabilities"))
	vp := root.key("vulnerabilities")
	in := func(cats ...string) bool { return slices.Contains(cats, cat) }

	if in(categoryInformation, categoryIncident) {
		if !slices.ContainsFunc(arr(get(doc, "notes")), func(n any) bool {
			return slices.Contains([]string{"description", "details", "general", "summary"}, str(get(n, "category")))
		}) {
			c.fail("6.1.27.1", dp.key("notes"), "a %s document needs a note with category description, details, general or summary", cat)
		}
		if !slices.ContainsFunc(arr(get(doc, "references")), func(r any) bool { return str(get(r, "category")) == "external" }) {
			c.fail("6.1.27.2", dp.key("references"), "a %s document needs a reference with category external", cat)
		}
	}
	if in(categoryInformation) && has(c.doc, "vulnerabilities") {
		c.fail("6.1.27.3", vp, "a csaf_informational_advisory document has no vulnerabilities element (use csaf_security_advisory)")
	}
	if in(categoryAdvisory, categoryVEX) {
		if !has(c.doc, "product_tree") {
			c.fail("6.1.27.4", root.key("product_tree"), "a %s document needs a product_tree", cat)
		}
		if !has(c.doc, "vulnerabilities") {
			c.fail("6.1.27.11", vp, "a %s document needs vulnerabilities", cat)
		}
		for i, v := range vulns {
			if !has(v, "notes") {
				c.fail("6.1.27.5", vp.index(i).key("notes"), "every vulnerability of a %s document needs notes", cat)
			}
		}
	}
	if in(categoryAdvisory) {
		for i, v := range vulns {
			if !has(v, "product_status") {
				c.fail("6.1.27.6", vp.index(i).key("product_status"), "every vulnerability of a csaf_security_advisory document needs a product_status")
			}
		}
	}
	if !in(categoryVEX) {
		return
	}
	for i, v := range vulns {
		p := vp.index(i)
		if !slices.ContainsFunc([]string{"fixed", "known_affected", "known_not_affected", "under_investigation"}, func(k string) bool {
			return has(get(v, "product_status"), k)
		}) {
			c.fail("6.1.27.7", p.key("product_status"), "a csaf_vex vulnerability needs at least one of fixed, known_affected, known_not_affected or under_investigation")
		}
		if !has(v, "cve") && !has(v, "ids") {
			c.fail("6.1.27.8", p, "a csaf_vex vulnerability needs a cve or ids")
		}
		// 6.1.27.9: every known_not_affected product has an impact
		// statement, as a flag or as a threat of category impact.
		explained := map[string]bool{}
		for _, f := range arr(get(v, "flags")) {
			for _, id := range expand(t, f) {
				explained[id] = true
			}
		}
		for _, th := range arr(get(v, "threats")) {
			if str(get(th, "category")) == "impact" {
				for _, id := range expand(t, th) {
					explained[id] = true
				}
			}
		}
		for j, e := range arr(get(v, "product_status", "known_not_affected")) {
			if id, ok := e.(string); ok && !explained[id] {
				c.fail("6.1.27.9", p.key("product_status").key("known_not_affected").index(j),
					"product %q is known_not_affected but has no impact statement (a flag, or a threat of category impact)", id)
			}
		}
		// 6.1.27.10: every known_affected product has an action statement.
		remedied := map[string]bool{}
		for _, r := range arr(get(v, "remediations")) {
			for _, id := range expand(t, r) {
				remedied[id] = true
			}
		}
		for j, e := range arr(get(v, "product_status", "known_affected")) {
			if id, ok := e.(string); ok && !remedied[id] {
				c.fail("6.1.27.10", p.key("product_status").key("known_affected").index(j),
					"product %q is known_affected but has no action statement (a remediation)", id)
			}
		}
	}
}

// testProductReferences runs 6.1.29 (a remediation names products), 6.1.32
// (a flag names products) and 6.1.33 (one VEX justification flag per
// product).
func (c *checker) testProductReferences(t productTree) {
	for i, v := range arr(get(c.doc, "vulnerabilities")) {
		vp := root.key("vulnerabilities").index(i)
		for j, r := range arr(get(v, "remediations")) {
			if !has(r, "product_ids") && !has(r, "group_ids") {
				c.fail("6.1.29", vp.key("remediations").index(j), "the remediation names no product_ids or group_ids, so it applies to nothing")
			}
		}
		flagged := map[string]string{} // product ID → label of its first flag
		for j, f := range arr(get(v, "flags")) {
			fp := vp.key("flags").index(j)
			if !has(f, "product_ids") && !has(f, "group_ids") {
				c.fail("6.1.32", fp, "the flag names no product_ids or group_ids, so it applies to nothing")
			}
			label := str(get(f, "label"))
			for _, id := range expand(t, f) {
				if first, ok := flagged[id]; ok {
					c.fail("6.1.33", fp, "product %q has more than one VEX justification flag (%s and %s)", id, first, label)
					continue
				}
				flagged[id] = label
			}
		}
	}
}
