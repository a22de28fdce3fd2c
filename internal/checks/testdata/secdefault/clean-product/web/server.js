const express = require('express');
const cors = require('cors');
const https = require('https');

const app = express();
app.use(cors({ origin: ['https://forge.example.org'], credentials: true }));

const agent = new https.Agent({ rejectUnauthorized: process.env.FORGE_INSECURE !== '1' });

app.get('/healthz', (req, res) => res.send('ok'));

const password = process.env.ADMIN_PASSWORD;
if (!password) {
  throw new Error('ADMIN_PASSWORD is required');
}

app.listen(3000, '0.0.0.0');
