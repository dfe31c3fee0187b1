-- The model the provider said answered (its "model" or "modelVersion"), when it differs from the one Sluice sent:
-- an Azure deployment name or a router alias is priced by what was actually served.
ALTER TABLE requests ADD COLUMN served_model TEXT;
