package server

import "net/http"

// Handlers not yet written answer 501.
func notYet(w http.ResponseWriter, r *http.Request) error {
	return &Error{Status: http.StatusNotImplemented}
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) error             { return notYet(w, r) }
func (s *Server) mfaVerify(w http.ResponseWriter, r *http.Request) error         { return notYet(w, r) }
func (s *Server) mfaEnrolBegin(w http.ResponseWriter, r *http.Request) error     { return notYet(w, r) }
func (s *Server) mfaEnrolConfirm(w http.ResponseWriter, r *http.Request) error   { return notYet(w, r) }
func (s *Server) logout(w http.ResponseWriter, r *http.Request) error            { return notYet(w, r) }
func (s *Server) setupStatus(w http.ResponseWriter, r *http.Request) error       { return notYet(w, r) }
func (s *Server) setup(w http.ResponseWriter, r *http.Request) error             { return notYet(w, r) }
func (s *Server) me(w http.ResponseWriter, r *http.Request) error                { return notYet(w, r) }
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error    { return notYet(w, r) }
func (s *Server) listSessions(w http.ResponseWriter, r *http.Request) error      { return notYet(w, r) }
func (s *Server) revokeAllSessions(w http.ResponseWriter, r *http.Request) error { return notYet(w, r) }
func (s *Server) revokeSession(w http.ResponseWriter, r *http.Request) error     { return notYet(w, r) }
func (s *Server) listTokens(w http.ResponseWriter, r *http.Request) error        { return notYet(w, r) }
func (s *Server) createToken(w http.ResponseWriter, r *http.Request) error       { return notYet(w, r) }
func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) error       { return notYet(w, r) }
func (s *Server) regenerateRecoveryCodes(w http.ResponseWriter, r *http.Request) error {
	return notYet(w, r)
}
func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) error      { return notYet(w, r) }
func (s *Server) createUser(w http.ResponseWriter, r *http.Request) error     { return notYet(w, r) }
func (s *Server) updateUser(w http.ResponseWriter, r *http.Request) error     { return notYet(w, r) }
func (s *Server) resetUserMFA(w http.ResponseWriter, r *http.Request) error   { return notYet(w, r) }
func (s *Server) listProducts(w http.ResponseWriter, r *http.Request) error   { return notYet(w, r) }
func (s *Server) createProduct(w http.ResponseWriter, r *http.Request) error  { return notYet(w, r) }
func (s *Server) getProduct(w http.ResponseWriter, r *http.Request) error     { return notYet(w, r) }
func (s *Server) deleteProduct(w http.ResponseWriter, r *http.Request) error  { return notYet(w, r) }
func (s *Server) listMembers(w http.ResponseWriter, r *http.Request) error    { return notYet(w, r) }
func (s *Server) setMember(w http.ResponseWriter, r *http.Request) error      { return notYet(w, r) }
func (s *Server) deleteMember(w http.ResponseWriter, r *http.Request) error   { return notYet(w, r) }
func (s *Server) listAudit(w http.ResponseWriter, r *http.Request) error      { return notYet(w, r) }
func (s *Server) exportAudit(w http.ResponseWriter, r *http.Request) error    { return notYet(w, r) }
func (s *Server) verifyAudit(w http.ResponseWriter, r *http.Request) error    { return notYet(w, r) }
func (s *Server) getSettings(w http.ResponseWriter, r *http.Request) error    { return notYet(w, r) }
func (s *Server) updateSettings(w http.ResponseWriter, r *http.Request) error { return notYet(w, r) }
