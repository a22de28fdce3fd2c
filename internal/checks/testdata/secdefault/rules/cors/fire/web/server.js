const express = require('express');
const cors = require('cors');
const app = express();
app.use(cors({
  origin: '*',
  credentials: true,
}));

const api = express.Router();
api.use(cors({ origin: ['*'], credentials: true }));
