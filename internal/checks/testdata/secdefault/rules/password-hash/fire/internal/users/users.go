package users

import "crypto/md5"

type Request struct{ Password string }

func hash(req Request) [16]byte {
	return md5.Sum([]byte(req.Password))
}
