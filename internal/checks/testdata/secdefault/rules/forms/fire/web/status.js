const os = require('os');
const express = require('express');
const app = express();

app.get('/health', (req, res) => res.send('ok'));

app.get('/status', (req, res) => {
  res.json({
    host: os.hostname(),
    load: os.loadavg(),
    memory: process.memoryUsage(),
  });
});

module.exports = app;
