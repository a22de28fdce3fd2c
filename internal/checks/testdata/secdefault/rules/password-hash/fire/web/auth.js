const crypto = require('crypto');
function hash(password) {
  return crypto.createHash('sha1').update(password).digest('hex');
}
