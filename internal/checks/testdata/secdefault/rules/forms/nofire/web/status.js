const os = require('os');
const express = require('express');
const { requireAdmin } = require('./auth');
const app = express();

app.get('/health', (req, res) => res.send('ok'));

app.get('/status', requireAdmin, (req, res) => {
  res.json({ host: os.hostname() });
});

app.get('/status/public', (req, res) => res.json({ status: 'ok' }));

const admin = express.Router();
admin.use(requireAdmin);
app.use(passport.authenticate('session'));
app.get('/debug/env', (req, res) => res.json(process.env));
