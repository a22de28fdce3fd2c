const adminPassword = process.env.ADMIN_PASSWORD || 'changeme';
module.exports = { adminPassword };
