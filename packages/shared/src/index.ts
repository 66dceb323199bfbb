// Types and schemas shared by the server and the web app.
export {};
