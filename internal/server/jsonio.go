package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
)

// decodeJSON reads the request body into v, strictly: the Content-Type must
// be application/json (415 otherwise), unknown fields and anything after the
// one JSON value are refused (400), and a body over the route's limit is 413.
// Error details name the problem but never echo the input.
func decodeJSON(r *http.Request, v any) error {
	ct := r.Header.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return &Error{Status: http.StatusUnsupportedMediaType, Detail: "send the request body as application/json"}
	}
	if cs, ok := params["charset"]; ok && cs != "utf-8" && cs != "UTF-8" {
		return &Error{Status: http.StatusUnsupportedMediaType, Detail: "JSON must be UTF-8"}
	}
	return decodeStrict(r.Body, v)
}

// decodeStrict decodes exactly one JSON value from body into v.
func decodeStrict(body io.Reader, v any) error {
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errTooLarge(mbe.Limit)
		}
		return badRequest("the body must hold exactly one JSON value")
	}
	return nil
}

// jsonError turns a decoding error into a 400 or 413 with a detail that
// names the field or the offset, never the data.
func jsonError(err error) *Error {
	var mbe *http.MaxBytesError
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &mbe):
		return errTooLarge(mbe.Limit)
	case errors.Is(err, io.EOF):
		return badRequest("the request body is empty")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("the JSON body ends too early")
	case errors.As(err, &syn):
		return badRequest("malformed JSON at byte %d", syn.Offset)
	case errors.As(err, &typ):
		if typ.Field != "" {
			return badRequest("field %q has the wrong type", typ.Field)
		}
		return badRequest("the JSON body has the wrong type")
	}
	// Unknown fields: encoding/json says `json: unknown field "x"`.
	var buf bytes.Buffer
	msg := err.Error()
	const prefix = "json: unknown field "
	if len(msg) > len(prefix) && msg[:len(prefix)] == prefix && len(msg) < len(prefix)+80 {
		buf.WriteString("unknown field ")
		buf.WriteString(msg[len(prefix):])
		return badRequest("%s", buf.String())
	}
	return &Error{Status: http.StatusBadRequest, Detail: "the JSON body cannot be read", Err: fmt.Errorf("decode: %w", err)}
}

// writeJSON answers status with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
	return nil
}

// noContent answers 204.
func noContent(w http.ResponseWriter) error {
	w.WriteHeader(http.StatusNoContent)
	return nil
}
